#!/usr/bin/env bash
# Install or upgrade Echtbild on Raspberry Pi OS (Bookworm or Trixie, Lite or Desktop).
#
#   sudo ./install.sh            install, or upgrade in place; safe to run again
#   ./install.sh --dry-run       print every action without doing any of it
#
# What it does: apt packages (camera, GPIO, display libraries, a fallback font); the system users "kiosk"
# (the booth) and "echtbild-share" (the download server, in kiosk's group); a Python venv in
# /opt/echtbild/venv that sees the apt-installed picamera2 and lgpio; the project into it; the
# config /etc/echtbild/kiosk.toml (only if there is none: never overwritten); photos under
# /var/lib/echtbild; the booth's signing keys (once); the systemd units, enabled and started
# after `kiosk check-config` has passed; with [hotspot] enabled, the booth's own Wi-Fi.
set -euo pipefail
# Files installed for the system are readable by the service user, whatever umask sudo brings.
umask 022

SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SOURCE_DIR
# Tests point this at a file of their own to play other systems.
readonly OS_RELEASE="${ECHTBILD_OS_RELEASE:-/etc/os-release}"
readonly PREFIX=/opt/echtbild
readonly VENV="$PREFIX/venv"
readonly CONFIG_DIR=/etc/echtbild
# Tests point this at a config of their own to see the steps it asks for.
readonly CONFIG="${ECHTBILD_CONFIG:-$CONFIG_DIR/kiosk.toml}"
readonly DATA_DIR=/var/lib/echtbild
readonly UNIT_DIR=/etc/systemd/system
readonly USER_NAME=kiosk
# The download server's own user, in the booth's group: it may read photos, never secrets.
readonly SHARE_USER=echtbild-share
readonly APT_PACKAGES=(
  python3 python3-venv python3-pip
  python3-picamera2 python3-libcamera python3-lgpio
  libgbm1 libdrm2 libegl1 libgles2
  fonts-dejavu-core
)
readonly GROUPS_WANTED=(video render gpio input)

DRY_RUN=0
CHANGED=0
REPORTS=()

say() { printf 'echtbild: %s\n' "$*"; }
report() { REPORTS+=("$*"); say "NOTE: $*"; }
fail() { printf 'echtbild: ERROR: %s\n' "$*" >&2; exit 1; }

# Run a command that changes the system, or only show it with --dry-run.
act() {
  if [[ $DRY_RUN -eq 1 ]]; then
    printf 'would run: %s\n' "$*"
  else
    say "$*"
    "$@"
  fi
  CHANGED=1
}

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
}

parse_args() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --dry-run) DRY_RUN=1 ;;
      -h | --help) usage; exit 0 ;;
      *) fail "unknown option '$1' (see --help)" ;;
    esac
    shift
  done
}

check_system() {
  # Everything here only looks: an unsupported system is refused before anything changes.
  command -v dpkg >/dev/null || fail "this is not a Debian-based system: Echtbild needs Raspberry Pi OS (Bookworm or Trixie, 64-bit)"
  local arch
  arch="$(dpkg --print-architecture)"
  case "$arch" in
    arm64 | amd64) ;;
    armhf | armel)
      fail "32-bit Raspberry Pi OS ($arch) is not supported: pygame-ce, ai-edge-litert, c2pa-python, numpy and Pillow have no 32-bit ARM wheels. Install Raspberry Pi OS (64-bit), Bookworm or Trixie, and run this again" ;;
    *) fail "the $arch architecture is not supported: Echtbild runs on 64-bit Raspberry Pi OS (arm64)" ;;
  esac
  local codename=unknown
  if [[ -r "$OS_RELEASE" ]]; then
    # shellcheck disable=SC1090
    codename="$(. "$OS_RELEASE" && echo "${VERSION_CODENAME:-unknown}")"
  fi
  case "$codename" in
    bookworm | trixie) say "system: $codename ($arch)" ;;
    buster | bullseye | stretch)
      fail "$codename is too old: Echtbild needs Raspberry Pi OS Bookworm or Trixie (Python 3.11 or newer)" ;;
    *)
      python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null ||
        fail "this is '$codename' without Python 3.11 or newer: Echtbild needs Raspberry Pi OS Bookworm or Trixie"
      report "this is '$codename', not Raspberry Pi OS Bookworm or Trixie; going on anyway" ;;
  esac
  if [[ $DRY_RUN -eq 0 && $EUID -ne 0 ]]; then
    fail "run as root: sudo $0 (or try $0 --dry-run)"
  fi
  if ! grep -qi 'raspberry pi' /proc/device-tree/model 2>/dev/null; then
    report "not a Raspberry Pi: the camera and GPIO parts will not work here"
  fi
}

is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

install_packages() {
  local needed=() wanted=() unavailable=() package
  for package in "${APT_PACKAGES[@]}"; do
    is_installed "$package" || needed+=("$package")
  done
  if [[ ${#needed[@]} -eq 0 ]]; then
    say "apt packages are all installed"
    return
  fi
  act apt-get update -qq
  for package in "${needed[@]}"; do
    if [[ $DRY_RUN -eq 1 ]] || apt-cache show "$package" >/dev/null 2>&1; then
      wanted+=("$package")
    else
      unavailable+=("$package")
    fi
  done
  if [[ ${#unavailable[@]} -gt 0 ]]; then
    report "not in this system's apt sources (Raspberry Pi OS has them): ${unavailable[*]}"
  fi
  if [[ ${#wanted[@]} -gt 0 ]]; then
    act env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${wanted[@]}"
  fi
}

create_user() {
  if id "$USER_NAME" >/dev/null 2>&1; then
    say "user $USER_NAME exists"
  else
    act useradd --system --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin \
      --user-group "$USER_NAME"
  fi
  if id "$SHARE_USER" >/dev/null 2>&1; then
    say "user $SHARE_USER exists"
  else
    act useradd --system --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin \
      --gid "$USER_NAME" "$SHARE_USER"
  fi
  local group
  for group in "${GROUPS_WANTED[@]}"; do
    if ! getent group "$group" >/dev/null; then
      report "group '$group' does not exist here; $USER_NAME is not added to it"
    elif id -nG "$USER_NAME" 2>/dev/null | tr ' ' '\n' | grep -qx "$group"; then
      :
    else
      act usermod --append --groups "$group" "$USER_NAME"
    fi
  done
}

create_directories() {
  act install -d -m 0755 "$PREFIX" "$CONFIG_DIR"
  act install -d -m 0750 -o "$USER_NAME" -g "$USER_NAME" "$DATA_DIR" "$DATA_DIR/photos" \
    "$DATA_DIR/index"
}

install_program() {
  if [[ ! -x "$VENV/bin/python" ]]; then
    # System site packages: picamera2, libcamera and lgpio come from apt, not from PyPI.
    act python3 -m venv --system-site-packages "$VENV"
  fi
  # Venue networks drop connections: pip tries each download again, patiently.
  act "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --retries 10 \
    --timeout 60 --upgrade "$SOURCE_DIR"
}

install_config() {
  if [[ -e "$CONFIG" ]]; then
    say "keeping the existing $CONFIG"
    return
  fi
  # The commented example, set for a real booth: the Pi camera, photos under $DATA_DIR.
  if [[ $DRY_RUN -eq 1 ]]; then
    printf 'would write: %s from config/kiosk.toml with camera.backend = "auto", storage.dir = "%s"\n' \
      "$CONFIG" "$DATA_DIR"
    CHANGED=1
    return
  fi
  local staged
  staged="$(mktemp)"
  sed -e 's|^backend = "image" |backend = "auto"  |' \
      -e 's|^dir = "~/.local/share/echtbild"|dir = "'"$DATA_DIR"'"|' \
      "$SOURCE_DIR/config/kiosk.toml" >"$staged"
  act install -m 0644 "$staged" "$CONFIG"
  rm -f "$staged"
}

install_face_models() {
  # Checked by hash; nothing is fetched when they are in place already.
  act runuser -u "$USER_NAME" -- "$VENV/bin/kiosk" --config "$CONFIG" models install
}

make_signing_keys() {
  # Content Credentials: the booth's own CA and signing certificate, made once, kept on upgrades.
  if [[ -e "$DATA_DIR/keys/signer.key" ]]; then
    say "signing keys exist"
    return
  fi
  act runuser -u "$USER_NAME" -- "$VENV/bin/kiosk" --config "$CONFIG" keys init
}

check_config() {
  # As the booth's user, as the booth starts: what it may write, and the group its files get
  # (a stick that forces another group), are its own, not root's.
  local as_booth=(runuser -u "$USER_NAME" -- "$VENV/bin/kiosk" --config "$CONFIG" check-config)
  # Off a Raspberry Pi (a test chroot, a plain Debian) there is no camera stack, and the config
  # rightly says so: that is a note for the report, not a failed install.
  if [[ $DRY_RUN -eq 0 ]] && ! is_installed python3-picamera2; then
    if ! "${as_booth[@]}"; then
      report "kiosk check-config found problems (above); without the Pi's camera stack that is expected"
    fi
    return
  fi
  act "${as_booth[@]}"
}

install_units() {
  local unit
  for unit in echtbild.service echtbild-share.service; do
    if cmp -s "$SOURCE_DIR/systemd/$unit" "$UNIT_DIR/$unit"; then
      say "$UNIT_DIR/$unit is up to date"
    else
      act install -m 0644 "$SOURCE_DIR/systemd/$unit" "$UNIT_DIR/$unit"
    fi
  done
  if [[ ! -d /run/systemd/system ]]; then
    report "systemd is not running here: the units are installed but not enabled or started"
    return
  fi
  act systemctl daemon-reload
  act systemctl enable echtbild.service echtbild-share.service
  act systemctl restart echtbild.service echtbild-share.service
}

keep_screen_on() {
  # The console must not blank the screen between visits (the booth itself keeps SDL awake).
  local cmdline
  for cmdline in /boot/firmware/cmdline.txt /boot/cmdline.txt; do
    [[ -f "$cmdline" ]] || continue
    if grep -q 'consoleblank=0' "$cmdline"; then
      say "console blanking already off"
    else
      act sed -i '1 s/$/ consoleblank=0/' "$cmdline"
      report "console blanking switched off in $cmdline: takes effect after a reboot"
    fi
    return
  done
  report "no /boot/firmware/cmdline.txt: console blanking left as it is"
}

# One value of the config (SECTION.KEY, printed as Python prints it: True, "ask"), or DEFAULT when
# the file, the section or the key is missing or the file is not valid TOML (check-config says why).
config_value() {
  python3 -c 'import sys, tomllib
with open(sys.argv[1], "rb") as file:
    print(tomllib.load(file).get(sys.argv[2], {}).get(sys.argv[3], sys.argv[4]))' \
    "$CONFIG" "$1" "$2" "$3" 2>/dev/null || echo "$3"
}

# Spoken cues (sound.voice = true in the config) need espeak-ng; the booth renders its voice
# files with it once. Without it the booth runs silent and says so in the journal.
install_voice() {
  local voice
  voice="$(config_value sound voice False)"
  [[ "$voice" == "True" ]] || return 0
  if is_installed espeak-ng; then
    say "espeak-ng is installed (sound.voice)"
    return
  fi
  act env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends espeak-ng
}

# Prints (print.when = "ask" or "always") go through CUPS: the daemon and its commands (lp,
# cancel, lpstat, lpadmin). The queue itself is set up by staff: kiosk print setup URI.
install_printing() {
  local when
  when="$(config_value print when never)"
  [[ "$when" == "ask" || "$when" == "always" ]] || return 0
  if is_installed cups; then
    say "cups is installed (print.when = $when)"
    return
  fi
  act env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends cups
  report "set up the print queue once: sudo kiosk print setup ipp://PRINTER-IP/ipp/print"
}

# The booth's own Wi-Fi ([hotspot] enabled = true): NetworkManager makes the access point (its
# dnsmasq comes from dnsmasq-base), nftables keeps phones to the photos, iw and rfkill set the
# country. `kiosk hotspot up` writes only what differs and says what it did; its --dry-run lists
# what is left to do, so a second install changes nothing.
readonly HOTSPOT_PACKAGES=(network-manager dnsmasq-base nftables iw rfkill)

install_hotspot() {
  local enabled
  enabled="$(config_value hotspot enabled False)"
  [[ "$enabled" == "True" ]] || return 0
  local package needed=()
  for package in "${HOTSPOT_PACKAGES[@]}"; do
    is_installed "$package" || needed+=("$package")
  done
  if [[ ${#needed[@]} -gt 0 ]]; then
    act env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${needed[@]}"
  fi
  local kiosk="$VENV/bin/kiosk" pending line
  if [[ $DRY_RUN -eq 1 ]]; then
    # The venv may hold an older version, or none yet: then the whole step is listed.
    if [[ -x "$kiosk" ]] &&
      pending="$("$kiosk" --config "$CONFIG" hotspot up --dry-run 2>/dev/null)"; then
      if [[ -z "$pending" ]]; then
        say "the hotspot is up to date"
        return
      fi
      while IFS= read -r line; do
        printf 'would do for the hotspot: %s\n' "$line"
      done <<<"$pending"
    else
      printf 'would run: %s\n' "$kiosk --config $CONFIG hotspot up"
    fi
    CHANGED=1
    return
  fi
  if ! pending="$("$kiosk" --config "$CONFIG" hotspot up --dry-run)"; then
    fail "the hotspot's settings are not usable (above); fix [hotspot] in $CONFIG"
  fi
  if [[ -z "$pending" ]]; then
    say "the hotspot is up to date"
    return
  fi
  act "$VENV/bin/kiosk" --config "$CONFIG" hotspot up
}

main() {
  parse_args "$@"
  [[ $DRY_RUN -eq 1 ]] && say "dry run: nothing is changed"
  check_system
  install_packages
  create_user
  create_directories
  install_program
  install_config
  check_config
  install_voice
  install_printing
  install_face_models
  make_signing_keys
  install_units
  install_hotspot
  keep_screen_on
  if [[ ${#REPORTS[@]} -gt 0 ]]; then
    say "done, with notes:"
    printf '  - %s\n' "${REPORTS[@]}"
  else
    say "done"
  fi
  [[ $CHANGED -eq 1 ]] || say "nothing needed changing"
}

main "$@"

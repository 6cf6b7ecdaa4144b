#!/usr/bin/env bash
# Opt-in integration check: install.sh in a fresh Debian chroot, then the test suite there.
#
#   sudo tests/integration/chroot-install.sh [--arch arm64|amd64] [--suite bookworm|trixie]
#                                            [--qemu PATH] [--install-only]
#
#   --arch      the chroot's architecture; default: the host's. arm64 on an x86 host runs under
#               qemu-user (binfmt_misc), as close to a Raspberry Pi 4 as this machine gets.
#   --suite     bookworm (the default; Python 3.11) or trixie (Python 3.13), as Pi OS.
#   --qemu      a statically linked qemu-aarch64, 10.0 or newer, instead of the one this script
#               fetches from Debian trixie's qemu-user package into ~/.cache/echtbild/qemu.
#   --install-only   stop after the install checks (no dev extras, no test suite).
#
# Needs root, debootstrap, Debian's package mirror and PyPI; about 2 GB in /var/tmp. Natively a
# few minutes; emulated arm64 about 1.5 hours (see the README). Not part of CI. A chroot is not a
# Raspberry Pi: install.sh itself reports the steps that need one (Raspberry Pi OS's camera
# packages, the gpio group, a running systemd, the boot command line) instead of pretending they
# worked. Prints install.sh's output, checks what must be true afterwards, runs install.sh a
# second time to show it changes nothing, then installs the dev extras into the booth's venv and
# runs the project's tests there. The exit code counts failed checks, plus one if a test failed.
set -euo pipefail

# The oldest qemu-user seen to run ai-edge-litert: Debian bookworm's 7.2 crashes in
# allocate_tensors/invoke, trixie's 10.0 runs it (cortex-a72 and cortex-a76).
readonly QEMU_MIN_MAJOR=10
readonly QEMU_SUITE=trixie

usage() {
  sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
}
die() {
  printf 'chroot-install: %s\n' "$*" >&2
  exit 2
}

host_arch="$(dpkg --print-architecture)"
arch="$host_arch"
suite=bookworm
qemu_given=""
install_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --arch) arch="${2:-}"; shift ;;
    --suite) suite="${2:-}"; shift ;;
    --qemu) qemu_given="${2:-}"; shift ;;
    --install-only) install_only=1 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
case "$suite" in bookworm | trixie) ;; *) die "--suite is bookworm or trixie, not '$suite'" ;; esac
case "$arch" in arm64 | amd64) ;; *) die "--arch is arm64 or amd64, not '$arch'" ;; esac
[[ $EUID -eq 0 ]] || die "run as root"
command -v debootstrap >/dev/null || die "needs debootstrap (apt install debootstrap)"

# The chroot asks PyPI, as a Pi does, not this machine's extra pip indexes and wheel folders.
unset PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS PIP_NO_INDEX
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/echtbild/qemu"
binfmt=/proc/sys/fs/binfmt_misc
binfmt_entry=""
binfmt_mounted=0
root=""

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [[ -n "$root" ]]; then
    for mount in dev/shm dev/pts dev proc sys; do
      umount -l "$root/$mount" 2>/dev/null || true
    done
    rm -rf --one-file-system "$root"
  fi
  if [[ -n "$binfmt_entry" && -e "$binfmt/$binfmt_entry" ]]; then
    echo -1 >"$binfmt/$binfmt_entry" || true
  fi
  if [[ $binfmt_mounted -eq 1 ]]; then
    umount "$binfmt" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

qemu_version() {
  "$1" --version 2>/dev/null | sed -n 's/^qemu-aarch64 version \([0-9][0-9.]*\).*/\1/p'
}

# Why this qemu-aarch64 cannot run the check; nothing when it can.
qemu_problem() {
  local qemu="$1" version
  [[ -x "$qemu" ]] || { echo "$qemu is not an executable file"; return; }
  version="$(qemu_version "$qemu")"
  [[ -n "$version" ]] || { echo "$qemu does not say which qemu-aarch64 version it is"; return; }
  if ((${version%%.*} < QEMU_MIN_MAJOR)); then
    echo "$qemu is qemu-aarch64 $version, which crashes ai-edge-litert (Debian bookworm's 7.2" \
      "does, in allocate_tensors/invoke); the check needs $QEMU_MIN_MAJOR.0 or newer"
    return
  fi
  # The kernel starts it inside the chroot, where none of the host's libraries are.
  # (Output captured first: grep -q stopping early would fail the pipe under pipefail.)
  local linkage cpus
  linkage="$(LC_ALL=C ldd "$qemu" 2>&1 || true)"
  if ! grep -Eq 'not a dynamic executable|statically linked' <<<"$linkage"; then
    echo "$qemu is dynamically linked; the chroot needs a static one (Debian's qemu-user has it)"
    return
  fi
  cpus="$("$qemu" -cpu help)"
  if ! grep -qw "$QEMU_CPU" <<<"$cpus"; then
    echo "$qemu does not know the CPU model '$QEMU_CPU'"
  fi
}

# Debian trixie's qemu-user (statically linked since 9.x) into the cache, with apt only: a
# private sources list, nothing changed in the host's apt.
fetch_qemu() {
  local apt_dir="$cache/apt" deb unpacked
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $QEMU_SUITE main" \
    >"$apt_dir/sources.list"
  local apt_options=(
    -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=-
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
    -o "Dir::Cache::Archives=$apt_dir/archives" -o APT::Sandbox::User=root
  )
  apt-get "${apt_options[@]}" -qq update || return 1
  rm -f "$apt_dir"/qemu-user_*.deb
  (cd "$apt_dir" && apt-get "${apt_options[@]}" -qq download qemu-user) || return 1
  deb="$(echo "$apt_dir"/qemu-user_*.deb)"
  unpacked="$(mktemp -d "$cache/unpack.XXXXXX")"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$unpacked" ./usr/bin/qemu-aarch64
  mv "$unpacked/usr/bin/qemu-aarch64" "$cache/qemu-aarch64"
  rm -rf "$unpacked" "$deb"
}

# A qemu-aarch64 that runs LiteRT: --qemu, else the cached or freshly fetched trixie one, else
# the host's if it is new enough. Refuses with what to do when there is none.
choose_qemu() {
  local problem candidate
  if [[ -n "$qemu_given" ]]; then
    problem="$(qemu_problem "$qemu_given")"
    [[ -z "$problem" ]] || die "$problem"
    echo "$qemu_given"
    return
  fi
  mkdir -p "$cache"
  (
    flock 9  # two checks started at once fetch it once
    if [[ ! -x "$cache/qemu-aarch64" ]]; then
      echo "== fetching qemu-aarch64 from Debian $QEMU_SUITE's qemu-user into $cache" >&2
      fetch_qemu >&2 || echo "== could not fetch Debian $QEMU_SUITE's qemu-user" >&2
    fi
  ) 9>"$cache/.lock"
  local problems=()
  for candidate in "$cache/qemu-aarch64" "$(command -v qemu-aarch64-static || true)" \
    "$(command -v qemu-aarch64 || true)"; do
    [[ -n "$candidate" && -e "$candidate" ]] || continue
    problem="$(qemu_problem "$candidate")"
    if [[ -z "$problem" ]]; then
      echo "$candidate"
      return
    fi
    problems+=("$problem")
  done
  printf 'chroot-install: no qemu-aarch64 here runs ai-edge-litert:\n' >&2
  printf '  - %s\n' "${problems[@]:-none found}" >&2
  die "get a working one: let this script fetch Debian $QEMU_SUITE's qemu-user (it needs apt
  access to $mirror), or extract /usr/bin/qemu-aarch64 from that package yourself
  (apt-get download qemu-user from a $QEMU_SUITE source; dpkg-deb -x) and pass --qemu PATH"
}

# The kernel runs aarch64 programs with qemu from now on. F: the interpreter is opened now, so
# it works inside the chroot; a name of our own, so parallel checks and the host's own
# registration are left alone (the newest registration wins).
register_qemu() {
  local qemu="$1"
  if [[ ! -e "$binfmt/register" ]]; then
    mount -t binfmt_misc binfmt_misc "$binfmt"
    binfmt_mounted=1
  fi
  binfmt_entry="echtbild-aarch64-$$"
  local magic='\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
  local mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
  printf ':%s:M::%s:%s:%s:POF\n' "$binfmt_entry" "$magic" "$mask" "$qemu" >"$binfmt/register"
}

if [[ "$arch" != "$host_arch" ]]; then
  [[ "$host_arch" == amd64 && "$arch" == arm64 ]] || die "can run $arch only on $arch itself"
  # A Raspberry Pi 4's CPU; qemu reads it from the environment of every emulated program.
  export QEMU_CPU="${QEMU_CPU:-cortex-a72}"
  qemu="$(choose_qemu)"
  register_qemu "$qemu"
  echo "== $arch runs under $qemu ($(qemu_version "$qemu"), CPU $QEMU_CPU)"
fi

root="$(mktemp -d /var/tmp/echtbild-chroot.XXXXXX)"
chmod 0755 "$root"  # the chroot's / must be open to its users, as a real root is
started=$SECONDS
timings=()
lap() {
  timings+=("$(printf '%-34s %4d s' "$1" $((SECONDS - started)))")
  started=$SECONDS
}

echo "== debootstrap $suite ($arch) into $root"
debootstrap --arch="$arch" --variant=minbase --include=ca-certificates,python3,passwd "$suite" \
  "$root" "$mirror" >/dev/null
for mount in proc sys dev dev/pts; do
  mount --bind "/$mount" "$root/$mount"
done
# Python's multiprocessing (the analyser process) needs a shared-memory folder of its own.
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The chroot trusts the extra certificate authorities the host trusts (networks that inspect TLS).
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null
fi
mkdir -p "$root/root/echtbild"
git -C "$checkout" archive HEAD | tar -x -C "$root/root/echtbild"
echo "== inside: $(chroot "$root" uname -m), $(chroot "$root" python3 --version)"
lap "debootstrap"

echo "== install.sh, first run"
chroot "$root" bash /root/echtbild/install.sh
lap "install.sh, first run"

echo "== checks"
failures=0
check() {
  if chroot "$root" bash -c "$2"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}
check "user kiosk exists" "id kiosk"
check "venv sees system packages" "grep -q 'include-system-site-packages = true' /opt/echtbild/venv/pyvenv.cfg"
check "kiosk command installed" "/opt/echtbild/venv/bin/kiosk --version"
# Debian has no picamera2: check-config must name exactly that, and nothing else.
check "config in /etc is valid but for the Pi camera" "/opt/echtbild/venv/bin/kiosk --config /etc/echtbild/kiosk.toml check-config 2>&1 | grep -qx \"camera.backend = 'auto': picamera2 is not installed.*\" && [ \"\$(/opt/echtbild/venv/bin/kiosk --config /etc/echtbild/kiosk.toml check-config 2>&1 | wc -l)\" = 2 ]"
check "data folder belongs to kiosk" "[ \"\$(stat -c %U /var/lib/echtbild)\" = kiosk ]"
check "signing keys made, private to kiosk" "[ \"\$(stat -c %U:%a /var/lib/echtbild/keys/signer.key)\" = kiosk:600 ]"
check "units installed" "[ -f /etc/systemd/system/echtbild.service ] && [ -f /etc/systemd/system/echtbild-share.service ]"

echo "== install.sh, second run (an upgrade in place: the config is kept)"
chroot "$root" bash -c 'echo "# staff edit" >> /etc/echtbild/kiosk.toml'
chroot "$root" bash /root/echtbild/install.sh
check "config kept on the second run" "grep -q '# staff edit' /etc/echtbild/kiosk.toml"
lap "install.sh, second run"

tests_failed=0
if [[ $install_only -eq 0 ]]; then
  echo "== the dev extras into the booth's venv"
  # shellcheck disable=SC2016  # expanded inside the chroot
  chroot "$root" bash -c 'cd /root/echtbild && mapfile -t extras < <(python3 -c "
import tomllib
print(*tomllib.load(open(\"pyproject.toml\", \"rb\"))[\"project\"][\"optional-dependencies\"][\"dev\"], sep=\"\n\")") &&
    /opt/echtbild/venv/bin/pip install --quiet --disable-pip-version-check --retries 10 --timeout 60 "${extras[@]}"'
  lap "dev extras"

  echo "== the test suite (SDL's dummy drivers; without Chromium its test skips)"
  # Emulated, everything runs ten or more times slower, and the face models some two hundred
  # times (close to a second per model run): the tests' bounds on waiting for another process
  # stretch to match (tests/helpers.py), and the tests that run the models on hundreds of
  # frames are left to native runs (pytest marker many_analyses; one of each kind still runs
  # here).
  patience=1
  selection=""
  if [[ "$arch" != "$host_arch" ]]; then
    patience=10
    selection="-m 'not many_analyses'"
  fi
  chroot "$root" bash -c "cd /root/echtbild && SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy \
    ECHTBILD_TEST_PATIENCE=$patience /opt/echtbild/venv/bin/python -m pytest -p no:cacheprovider -ra $selection" ||
    tests_failed=1
  lap "test suite"
fi

echo "== times"
printf '  %s\n' "${timings[@]}"
echo "== $failures check(s) failed$([[ $install_only -eq 1 ]] || echo ", tests $([[ $tests_failed -eq 0 ]] && echo passed || echo FAILED)")"
exit $((failures + tests_failed))

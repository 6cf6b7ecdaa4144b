#!/usr/bin/env bash
# Opt-in integration check: run install.sh inside a fresh Debian chroot made with debootstrap.
#
#   sudo tests/integration/chroot-install.sh [SUITE]      (SUITE: bookworm, the default, or trixie)
#
# Needs root, debootstrap and Debian's package mirror; takes several minutes and about 1 GB in
# /var/tmp. Not part of CI. A chroot is not a Raspberry Pi: install.sh itself reports the steps
# that need one (Raspberry Pi OS's camera packages, the gpio group, a running systemd, the boot
# command line) instead of pretending they worked. Prints install.sh's output, then checks what
# must be true afterwards, then runs install.sh a second time to show it changes nothing.
set -euo pipefail

suite="${1:-bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
root="$(mktemp -d /var/tmp/echtbild-chroot.XXXXXX)"
chmod 0755 "$root"  # the chroot's / must be open to its users, as a real root is

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  for mount in dev/pts dev proc sys; do
    umount -l "$root/$mount" 2>/dev/null || true
  done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT

[[ $EUID -eq 0 ]] || { echo "run as root" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "needs debootstrap (apt install debootstrap)" >&2; exit 1; }

echo "== debootstrap $suite into $root"
debootstrap --variant=minbase --include=ca-certificates,python3,passwd "$suite" "$root" \
  "$mirror" >/dev/null
for mount in proc sys dev dev/pts; do
  mount --bind "/$mount" "$root/$mount"
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The chroot trusts the extra certificate authorities the host trusts (networks that inspect TLS).
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null
fi
mkdir -p "$root/root/echtbild"
git -C "$checkout" archive HEAD | tar -x -C "$root/root/echtbild"

echo "== install.sh, first run"
chroot "$root" bash /root/echtbild/install.sh

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

echo "== $failures check(s) failed"
exit "$failures"

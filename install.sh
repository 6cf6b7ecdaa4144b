#!/usr/bin/env bash
# Echtbild installer for Raspberry Pi OS. Not written yet: the Raspberry Pi issue brings the real
# one (apt packages, a system user, a venv under /opt, config in /etc, systemd units).
set -euo pipefail
echo "install.sh: the Raspberry Pi installer is not written yet." >&2
echo "For now, install by hand: see README.md, 'Run it on any computer'." >&2
exit 1

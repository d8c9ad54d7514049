#!/usr/bin/env bash
# Installs the Debian packages the tests need, only those missing, so a re-run on a ready
# machine costs a fraction of a second. Non-interactive (CI has no stdin).
#   ceph-mon ceph-osd radosgw ceph-common  the real S3 server (scripts/s3-server.sh)
#   gnome-keyring libsecret-tools dbus     a real Secret Service (scripts/with-keyring.sh)
#   chromium                               the UI tests, in the browser against `quire serve`
#   curl                                   readiness checks
#   faketime                               the clock-skew test runs the CLI with a shifted clock
set -euo pipefail
packages=(ceph-mon ceph-osd radosgw ceph-common gnome-keyring libsecret-tools dbus chromium curl faketime)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "The tests need these Debian packages: ${missing[*]}. Install them (as root): apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

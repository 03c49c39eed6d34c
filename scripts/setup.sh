#!/usr/bin/env bash
# setup.sh PKG...: make sure the Debian packages umk's build and tests need are
# installed. Quiet when they all are; installs the missing ones when run as
# root; otherwise prints the command to run and fails.
set -euo pipefail

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for pkg in "$@"; do
	# dpkg -s knows packages removed with their configuration kept, too;
	# only "install ok installed" counts.
	if ! dpkg -s "$pkg" >/dev/null 2>&1 || ! installed "$pkg"; then
		missing+=("$pkg")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing Debian packages: ${missing[*]}" >&2
	echo "setup: run: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

echo "setup: installing ${missing[*]}" >&2
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"

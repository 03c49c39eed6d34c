#!/usr/bin/env bash
# mkdebian.sh OUT: a Debian bookworm root for umk's tests, as an ext4 image
# made with `mke2fs -d`. debootstrap --variant=minbase (dynamic glibc, apt,
# dpkg, passwd, login) plus the packages the tests of several areas need
# (PACKAGES below), from the mirror the host's apt uses (else
# deb.debian.org), with downloaded .debs kept in $DEBIAN_CACHE so a rebuild
# does not fetch them again. The guest gets umk's /sbin/init (proc, tmpfs,
# devtmpfs, devpts, /dev/shm, hostname), /etc/hostname "umk" and an
# /etc/hosts that agrees.
# Needs root (debootstrap chroots and makes device nodes).
#
# Reuse: `make debian-image` builds $(B)/debian.img once; it is rebuilt only
# when this script changes. Boot a copy:
#   cp --sparse=always build/debian.img /tmp/d.img
#   ./umk ubd0=/tmp/d.img init=/bin/sh -- -c 'python3 -V'
# Packages another test area needs go into PACKAGES (the image is shared).
# EXTRA_PACKAGES=a,b adds packages to this one build only (bench/bench.mk
# makes its compiler image that way); the default image never sees them.
set -euo pipefail

# debootstrap does not resolve virtual packages: gdb's
# libboost-regex1.74.0-icu72 is provided by libboost-regex1.74.0.
PACKAGES=iproute2,python3,sqlite3,strace,gdb,libboost-regex1.74.0,busybox,procps,netbase,attr,tmux
PACKAGES=$PACKAGES${EXTRA_PACKAGES:+,$EXTRA_PACKAGES}

out=${1:?usage: $0 OUT}
root=$(cd "$(dirname "$0")/.." && pwd)
suite=bookworm
cache=${DEBIAN_CACHE:-$root/build/debian-cache}
epoch=${SOURCE_DATE_EPOCH:-1700000000}
PATH=$PATH:/sbin:/usr/sbin

[ "$(id -u)" -eq 0 ] || { echo "$0: debootstrap needs root" >&2; exit 1; }
for tool in debootstrap mke2fs; do
	command -v $tool >/dev/null || { echo "$0: $tool not found (make setup)" >&2; exit 1; }
done

# The host's Debian mirror: the first http(s) URI of a "debian" archive in
# apt's sources (one-line or deb822 format).
mirror() {
	local f uri
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		 /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(grep -hoE '(https?://[^ ]+/debian)/?( |$)' "$f" | head -1 | tr -d ' ')
		[ -n "$uri" ] && { echo "${uri%/}"; return; }
	done
	echo http://deb.debian.org/debian
}

stage=$(mktemp -d "${TMPDIR:-/tmp}/mkdebian.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$cache"
start=$(date +%s)
debootstrap --variant=minbase --include="$PACKAGES" --cache-dir="$cache" \
	"$suite" "$stage" "$(mirror)" > "$stage.log" 2>&1 || {
	tail -20 "$stage.log" >&2
	rm -f "$stage.log"
	exit 1
}
rm -f "$stage.log"

# Smaller: no downloaded package files, no apt lists, docs or man pages
# (dpkg -L still lists them; nothing the tests use reads them).
rm -rf "$stage"/var/cache/apt/*.bin "$stage"/var/cache/apt/archives/*.deb \
	"$stage"/var/lib/apt/lists/* "$stage"/usr/share/doc/* \
	"$stage"/usr/share/man/* "$stage"/usr/share/info/* \
	"$stage"/var/log/*.log "$stage"/var/log/apt/*

echo umk > "$stage/etc/hostname"
cat > "$stage/etc/hosts" <<'EOF'
127.0.0.1	localhost
127.0.1.1	umk
::1		localhost ip6-localhost ip6-loopback
EOF
# The Debian image has no init system: umk's small one, as in the busybox
# image (scripts/mkrootfs.sh).
mkdir -p "$stage/sbin"
cat > "$stage/sbin/init" <<'EOF'
#!/bin/sh
# umk's init for the Debian root: mount proc, /tmp, /dev, /dev/pts,
# /dev/shm, /run, set the hostname, run the command given after "--" (or a
# login shell).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /tmp 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t devpts -o gid=5,mode=620,ptmxmode=000 devpts /dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /dev/shm 2>/dev/null
mount -t tmpfs -o mode=755 tmpfs /run 2>/dev/null
[ -r /etc/hostname ] && hostname "$(cat /etc/hostname)"
[ $# -gt 0 ] && exec /bin/sh -c "$*"
exec /bin/bash -l
EOF
chmod 0755 "$stage/sbin/init"
find "$stage" -depth -exec touch -h -d "@$epoch" {} +

# Room for what the tests (and an apt-get install inside the guest) write.
used=$(du -sm "$stage" | cut -f1)
size=$(( used + used / 2 + 512 ))M
mkdir -p "$(dirname "$out")"
rm -f "$out.tmp"
E2FSPROGS_FAKE_TIME=$epoch mke2fs -q -t ext4 -F -L umk-debian \
	-U 6d6b756d-6465-6269-616e-6b756d6b756d \
	-E root_owner=0:0,hash_seed=6d6b756d-0000-4000-8000-000000000001 \
	-d "$stage" "$out.tmp" "$size"
mv "$out.tmp" "$out"
echo "mkdebian: $out (ext4 $size, bookworm minbase + $PACKAGES," \
     "$(( $(date +%s) - start )) s)"

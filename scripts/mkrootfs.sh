#!/usr/bin/env bash
# mkrootfs.sh OUT [--tests]: build umk's root image OUT, a 64 MiB ext4 file
# system made with `mke2fs -d` (no root needed): Debian's static busybox with
# one symlink per applet, a minimal /etc, and /sbin/init. With --tests it
# also holds the test programs (build/tests/guest/* in /tests/bin), the test
# scripts (/tests/scripts) and a small data tree (/tests/data), and for the
# dynamic test programs the host's ld.so and glibc libraries at their paths.
# Same inputs give the same image, byte for byte.
set -euo pipefail

usage() { echo "usage: $0 OUT [--tests]" >&2; exit 2; }

out=
tests=0
for arg in "$@"; do
	case $arg in
	--tests) tests=1 ;;
	-*) usage ;;
	*) [ -z "$out" ] || usage; out=$arg ;;
	esac
done
[ -n "$out" ] || usage

root=$(cd "$(dirname "$0")/.." && pwd)
busybox=${BUSYBOX:-/bin/busybox}
size=${ROOTFS_SIZE:-64M}
epoch=${SOURCE_DATE_EPOCH:-1700000000}	# every file's time, for reproducibility

PATH=$PATH:/sbin:/usr/sbin
for tool in mke2fs debugfs; do
	command -v $tool >/dev/null || { echo "$0: $tool not found (apt-get install e2fsprogs)" >&2; exit 1; }
done
[ -x "$busybox" ] || { echo "$0: $busybox not found (apt-get install busybox-static)" >&2; exit 1; }
if LC_ALL=C readelf -l "$busybox" 2>/dev/null | grep -q 'Requesting program interpreter'; then
	echo "$0: $busybox is dynamically linked; install busybox-static" >&2
	exit 1
fi

# copy_guest_libs PROGRAM...: the dynamic programs among PROGRAM run in
# the guest against its own glibc: their interpreter and the libraries
# they need (and need in turn), plus what glibc and the tests dlopen:
# libm.so.6 (tests/guest/kinds.c) and libgcc_s.so.1 (pthread_exit unwinds
# with it), copied from the host (libc6, libgcc-s1) into the same paths.
copy_guest_libs() {
	local f lib path interp multiarch=/lib/x86_64-linux-gnu new
	local -A want=()
	for f; do
		interp=$(LC_ALL=C readelf -l "$f" 2>/dev/null |
			sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
		[ -n "$interp" ] || continue
		want[$interp]=1
		want[$multiarch/libm.so.6]=1
		want[$multiarch/libgcc_s.so.1]=1
		for lib in $(LC_ALL=C readelf -d "$f" | sed -n 's/.*Shared library: \[\(.*\)\]$/\1/p'); do
			want[$multiarch/$lib]=1
		done
	done
	[ ${#want[@]} -gt 0 ] || return 0
	new=1
	while [ $new = 1 ]; do
		new=0
		for path in "${!want[@]}"; do
			[ -e "$path" ] || { echo "$0: $path not found (apt-get install libc6)" >&2; exit 1; }
			for lib in $(LC_ALL=C readelf -d "$path" | sed -n 's/.*Shared library: \[\(.*\)\]$/\1/p'); do
				[ -n "${want[$multiarch/$lib]:-}" ] || { want[$multiarch/$lib]=1; new=1; }
			done
		done
	done
	for path in "${!want[@]}"; do
		mkdir -p ".${path%/*}"
		cp -L "$path" ".$path"
		chmod 0755 ".$path"
	done
}

stage=$(mktemp -d "${TMPDIR:-/tmp}/mkrootfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
umask 022

# Directories.
cd "$stage"
mkdir -p bin sbin usr/bin usr/sbin etc root tmp proc dev mnt sys home/user var/log
chmod 0700 root
chmod 1777 tmp

# busybox and its applets. /sbin/init is ours (below), not busybox's.
cp "$busybox" bin/busybox
chmod 0755 bin/busybox
"$busybox" --list-full | while read -r applet; do
	case $applet in
	bin/busybox | sbin/init | linuxrc | */) continue ;;
	esac
	[ -e "$applet" ] || [ -L "$applet" ] || ln -s /bin/busybox "$applet"
done

# /etc.
cat > etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > etc/group <<'EOF'
root:x:0:
user:x:1000:
nogroup:x:65534:
EOF
cat > etc/shadow <<'EOF'
root:GUEST-SHADOW-umk:19000:0:99999:7:::
user:*:19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
EOF
chmod 0640 etc/shadow
echo umk > etc/hostname
cat > etc/os-release <<'EOF'
NAME="umk busybox"
PRETTY_NAME="umk busybox root"
ID=umk-busybox
HOME_URL="https://example.invalid/umk"
EOF
cat > etc/profile <<'EOF'
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
export HOME=${HOME:-/root}
[ "$HOME" = / ] && export HOME=/root
PS1='\u@\h:\w\$ '
cd "$HOME" 2>/dev/null
EOF
cat > etc/fstab <<'EOF'
/dev/ubda	/	ext4	defaults	0 1
proc		/proc	proc	defaults	0 0
tmpfs		/tmp	tmpfs	mode=1777	0 0
EOF
cat > etc/hosts <<'EOF'
127.0.0.1 localhost umk
::1 localhost ip6-localhost ip6-loopback
EOF

# /sbin/init: the guest's first process.
cat > sbin/init <<'EOF'
#!/bin/sh
# umk's /sbin/init: mount the virtual file systems, set the hostname, then
# run the command given after "--" on umk's command line, or a login shell
# on the console. Its exit ends umk with its status.
export PATH=/sbin:/usr/sbin:/bin:/usr/bin

mnt() {
	mount -t "$1" -o "$3" "$1" "$2" 2>/dev/null ||
		echo "init: cannot mount $1 on $2, going on without it" >&2
}
mnt proc /proc defaults
mnt sysfs /sys ro
mnt tmpfs /tmp mode=1777
mnt devtmpfs /dev defaults
mnt devpts /dev/pts gid=5,mode=620,ptmxmode=000
mnt tmpfs /dev/shm mode=1777
if [ -r /etc/hostname ]; then
	hostname -F /etc/hostname 2>/dev/null ||
		echo "init: cannot set the hostname" >&2
fi

if [ $# -gt 0 ]; then
	exec /bin/sh -c "$*"
fi
# On a terminal, as a getty would: the shell in a session of its own with
# the console as its controlling tty, reached as /dev/tty0 (Linux exempts
# /dev/console from job control); not as pid 1, whose children's process
# groups count as orphaned, so ^Z would not stop them.
if [ -t 0 ] && [ -c /dev/tty0 ]; then
	setsid -c /bin/sh -l < /dev/tty0 > /dev/tty0 2>&1
	exit
fi
exec /bin/sh -l
EOF
chmod 0755 sbin/init

# Test payload.
if [ $tests = 1 ]; then
	mkdir -p tests/bin tests/scripts
	shopt -s nullglob
	progs=("$root"/build/tests/guest/*)
	[ ${#progs[@]} -gt 0 ] || { echo "$0: no programs in build/tests/guest (make them first)" >&2; exit 1; }
	for f in "${progs[@]}"; do
		[ -f "$f" ] && [ -x "$f" ] && cp "$f" tests/bin/
	done
	for f in "$root"/tests/scripts/*.sh; do
		cp "$f" tests/scripts/
	done
	chmod 0755 tests/bin/* tests/scripts/*
	cp -R "$root"/tests/data tests/data
	chmod -R u=rwX,go=rX tests/data
	shopt -u nullglob
	copy_guest_libs tests/bin/*
fi

# Fixed times everywhere (the link itself for symlinks).
find . -depth -exec touch -h -d "@$epoch" {} +

# The image: fixed UUID, hash seed and creation time, so equal inputs give
# an identical image. root_owner makes / root's; the rest is chowned below
# when we are not root (mke2fs -d copies the staging files' owners).
cd "$root"
mkdir -p "$(dirname "$out")"
rm -f "$out.tmp"
: > "$out.tmp"
E2FSPROGS_FAKE_TIME=$epoch mke2fs -q -t ext4 -F \
	-U 6d6b756d-6b75-6d6b-756d-6b756d6b756d \
	-E root_owner=0:0,hash_seed=6d6b756d-0000-4000-8000-000000000000 \
	-L umk-root -d "$stage" "$out.tmp" "$size"

# Fix what mke2fs -d copies from the staging files but we cannot set there:
# change times (to $epoch) and, when we are not root, owners (to root).
# /home/user belongs to user.
cmds=$(mktemp "${TMPDIR:-/tmp}/mkrootfs-cmds.XXXXXX")
trap 'rm -rf "$stage" "$cmds"' EXIT
notroot=0
[ "$(id -u)" -eq 0 ] || notroot=1
(cd "$stage" && find .) | while read -r p; do
	p=${p#.}
	[ -n "$p" ] || p=/
	printf 'sif %s ctime @%s\n' "$p" "$epoch"
	[ $notroot = 0 ] || printf 'sif %s uid 0\nsif %s gid 0\n' "$p" "$p"
done > "$cmds"
printf 'sif /home/user uid 1000\nsif /home/user gid 1000\n' >> "$cmds"
E2FSPROGS_FAKE_TIME=$epoch debugfs -w -f "$cmds" "$out.tmp" > "$cmds.log" 2>&1
if grep -qiE 'error|invalid|not found|usage' "$cmds.log"; then
	echo "$0: debugfs failed:" >&2
	grep -iE 'error|invalid|not found|usage' "$cmds.log" | head -5 >&2
	rm -f "$cmds.log"
	exit 1
fi
rm -f "$cmds.log"
mv "$out.tmp" "$out"
echo "mkrootfs: $out ($size ext4, busybox $("$busybox" | head -1 | awk '{print $2}')$([ $tests = 1 ] && echo ", tests"))"

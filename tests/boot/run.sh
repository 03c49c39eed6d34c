#!/usr/bin/env bash
# tests/boot/run.sh: a boot that fails touches nothing. Prints TAP lines
# "ok N - ..." / "not ok N - ..." with "# ..." diagnostics, then "1..N";
# exit status 0 iff everything passed. make check runs it as
# unit/boot_suite (tests/unit/boot.mk).
#
#   failed boots  init missing, init not executable, init a broken ELF, no
#                 init at all, the image truncated to 1 MiB, a corrupt
#                 root inode, a corrupt group descriptor, an image of
#                 garbage after a valid superblock: each boot fails with
#                 a message and a nonzero status, in every mode, and the
#                 image's checksum is unchanged; the next boot of the same
#                 image (where it is whole) mounts it read-write
#   journal       an ext4 journal that needs recovery (debugfs transactions,
#                 with a revoke) is replayed as e2fsck replays it: read
#                 through an overlay before init runs (a failed boot and a
#                 read-only boot write nothing), written once init ran
#   command line  sizes that overflow or are out of range (mem=) are exit
#                 status 2 with one line on stderr, before any image is
#                 opened
#
# Environment: UMK (./umk), UMK_MODES (the modes umk --help lists), B (build).
set -uo pipefail

. "$(dirname "$0")/../lib.sh"
lib_init boot
IMG=$B/test-rootfs.img

# debugfs_w IMG CMD...: change a test copy (never the booted one).
debugfs_w() {
	local img=$1
	shift
	debugfs -w -f <(printf '%s\n' "$@") "$img" > "$S/debugfs.log" 2>&1
}

# failed_boot NAME IMG [umk options...]: boot IMG, which must fail, in
# every mode; the image must be byte-identical afterwards.
failed_boot() {
	local name=$1 img=$2 mode sum0 sum1 rc
	shift 2
	for mode in $MODES; do
		sum0=$(sha256sum < "$img")
		timeout -s KILL 30 "$UMK" ubd0="$img" mode="$mode" "$@" \
			< /dev/null > "$S/out" 2>&1
		rc=$?
		sum1=$(sha256sum < "$img")
		if [ $rc -ne 0 ] && [ $rc -ne 137 ] && [ "$sum0" = "$sum1" ] &&
		   grep -qiE 'panic|error|can.t|cannot|unable|failed' "$S/out"; then
			ok "$mode/$name: fails (status $rc), image unchanged"
		else
			notok "$mode/$name: status $rc, image $([ "$sum0" = "$sum1" ] && echo unchanged || echo CHANGED)"
			tail -n 5 "$S/out" | diag
		fi
	done
}

# boots_rw NAME IMG: the next boot mounts IMG read-write and writes to it.
boots_rw() {
	local name=$1 img=$2
	timeout -s KILL 30 "$UMK" ubd0="$img" quiet rw init=/bin/sh -- \
		-c 'echo after > /after && sync && cat /after' < /dev/null > "$S/out" 2>&1
	if [ $? -eq 0 ] && grep -qx after "$S/out" && e2fsck -fn "$img" > "$S/fsck" 2>&1; then
		ok "$name: the next boot mounts it read-write, e2fsck -fn clean"
	else
		notok "$name: the next boot did not write, or e2fsck -fn found errors"
		cat "$S/out" "$S/fsck" | tail -n 8 | diag
	fi
}

copy() { cp --sparse=always "$IMG" "$S/$1.img" && echo "$S/$1.img"; }

if [ ! -x "$UMK" ] || [ ! -f "$IMG" ]; then
	notok "boot: umk or $IMG not built"
	tap_finish
	exit 1
fi

img=$(copy noinit-given)
failed_boot "init=/nonexistent" "$img" rw init=/nonexistent
boots_rw "init=/nonexistent" "$img"

img=$(copy init-not-exec)
failed_boot "init=/etc/passwd (not executable)" "$img" rw init=/etc/passwd
failed_boot "init=/etc (a directory)" "$img" rw init=/etc

img=$(copy broken-elf)
head -c 200 /bin/busybox > "$S/broken"
debugfs_w "$img" "write $S/broken /broken" "sif /broken mode 0100755"
failed_boot "init is a truncated ELF" "$img" rw init=/broken

img=$(copy no-init)
debugfs_w "$img" "rm /sbin/init" "rm /bin/sh" "unlink /bin/init" "unlink /etc/init"
failed_boot "no init on the image at all" "$img" rw
boots_rw "no init on the image" "$(copy no-init-then)"

img=$(copy truncated)
truncate -s 1M "$img"
failed_boot "image truncated to 1 MiB" "$img" rw init=/bin/sh -- -c 'echo ran'

img=$(copy bad-root-inode)
# The root directory's inode (2) made a regular file of garbage blocks.
debugfs_w "$img" "sif <2> mode 0100644" "sif <2> block[0] 99999999" \
	"sif <2> flags 0" "sif <2> size 4096"
failed_boot "corrupt root inode" "$img" rw init=/bin/sh -- -c 'echo ran'

img=$(copy bad-descriptors)
# Garbage over the group descriptor block (block 1 of a 4 KiB-block fs).
bs=$(dumpe2fs -h "$IMG" 2>/dev/null | awk -F: '/^Block size/ { print $2 + 0 }')
head -c "$bs" /dev/urandom | dd of="$img" bs="$bs" seek=1 conv=notrunc status=none
failed_boot "corrupt group descriptors" "$img" rw init=/bin/sh -- -c 'echo ran'

img=$(copy garbage)
# Keep the first 2 blocks (superblock, descriptors), then garbage: the
# inode tables and directories are noise.
bs=${bs:-4096}
dd if=/dev/urandom of="$img" bs="$bs" seek=2 count=2048 conv=notrunc status=none
failed_boot "garbage after the superblock" "$img" rw init=/bin/sh -- -c 'echo ran'

# A journal that needs recovery (transactions written with debugfs, as a
# Linux crash leaves them): block A rewritten in transaction 1 and revoked
# in 2, block B rewritten in 3. umk must replay it as e2fsck does (B's new
# content, A's old one), write nothing before init runs, and leave a clean
# image with the journal empty after a read-write boot.
journal_img() {
	local img=$1 a b
	a=$(debugfs -R "bmap /etc/hostname 0" "$img" 2>/dev/null)
	b=$(debugfs -R "bmap /etc/passwd 0" "$img" 2>/dev/null)
	{ printf 'journal-replayed-passwd\n'; head -c 4072 /dev/zero; } > "$S/jblk"
	printf 'jo\njw -b %s %s\njc\njo\njw -r %s\njc\njo\njw -b %s %s\njc\n' \
		"$a" "$S/jblk" "$a" "$b" "$S/jblk" > "$S/jcmds"
	debugfs -w -f "$S/jcmds" "$img" > /dev/null 2>&1
	dumpe2fs -h "$img" 2>/dev/null | grep -q needs_recovery
}

img=$(copy journal)
if ! journal_img "$img"; then
	notok "journal: debugfs could not write transactions"
else
	cp --sparse=always "$img" "$S/journal-fsck.img"
	e2fsck -fy "$S/journal-fsck.img" > /dev/null 2>&1
	want=$(for f in /etc/hostname /etc/passwd; do
		debugfs -R "cat $f" "$S/journal-fsck.img" 2>/dev/null | head -n 1; done)
	failed_boot "journal needing recovery, init=/nonexistent" "$img" rw init=/nonexistent
	for mode in $MODES; do
		sum0=$(sha256sum < "$img")
		got=$(timeout -s KILL 30 "$UMK" ubd0="$img" mode="$mode" quiet ro \
			init=/bin/sh -- -c 'head -n 1 /etc/hostname; head -n 1 /etc/passwd' \
			< /dev/null 2>/dev/null)
		if [ "$got" = "$want" ] && [ "$(sha256sum < "$img")" = "$sum0" ]; then
			ok "$mode/journal, ro: reads the replayed blocks, writes nothing"
		else
			notok "$mode/journal, ro: got '${got//$'\n'/|}', want '${want//$'\n'/|}', or the image changed"
		fi
	done
	got=$(timeout -s KILL 30 "$UMK" ubd0="$img" quiet rw init=/bin/sh -- \
		-c 'head -n 1 /etc/hostname; head -n 1 /etc/passwd; sync' < /dev/null 2>/dev/null)
	if [ "$got" = "$want" ] && ! dumpe2fs -h "$img" 2>/dev/null | grep -q needs_recovery &&
	   dumpe2fs -h "$img" 2>/dev/null | grep -qE '^Journal start: +0$' &&
	   e2fsck -fn "$img" > "$S/fsck" 2>&1; then
		ok "journal, rw: replayed as e2fsck does (revoke kept), journal empty, e2fsck -fn clean"
	else
		notok "journal, rw: got '${got//$'\n'/|}', want '${want//$'\n'/|}', or needs_recovery left"
		tail -n 5 "$S/fsck" | diag
	fi
fi

# Command-line sizes: exit status 2, one line, no image opened (a missing
# image file would otherwise be the error).
for arg in mem=99999999999G mem=18446744073709551616 mem=18446744073709551615 \
	   mem=16777216T mem=-1 mem=+64M mem=64X mem= mem=1G1 mem=200000G; do
	"$UMK" ubd0="$S/does-not-exist.img" "$arg" < /dev/null > "$S/out" 2> "$S/err"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l < "$S/err")" -eq 1 ] &&
	   grep -q 'mem=' "$S/err" && [ ! -s "$S/out" ]; then
		ok "$arg: exit status 2, one line on stderr"
	else
		notok "$arg: exit status $rc"
		cat "$S/err" | diag
	fi
done

tap_finish

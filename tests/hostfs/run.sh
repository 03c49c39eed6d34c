#!/usr/bin/env bash
# tests/hostfs/run.sh: hostfs in every mode of UMK_MODES. Prints TAP lines
# and "1..N"; exit status 0 iff all passed. make check runs it as
# unit/hostfs_suite (tests/unit/hostfs.mk).
#
#  - ops: hostfs_ops (tests/hostfs/hostfs_ops.c) natively in a host
#    directory and inside umk in a hostfs mount of another; the outputs
#    must match line by line, and the host must see what the guest wrote
#    (its files, and a user. xattr read back with hostfs_ops --getxattr).
#  - refused: without hostfs= every hostfs mount is EPERM.
#  - escape: a canary directory outside the share (CANARY/secret holds a
#    random secret). The share holds host symlinks to it (absolute,
#    relative, to its directory) and a bind mount of it (umk runs in a
#    private mount namespace, unshare -m), and while the escape probe runs
#    a host program (swapper.c) keeps exchanging the share's directory
#    race/ and a symlink to CANARY (renameat2 RENAME_EXCHANGE). The test fails if the secret appears in the guest's output
#    or anything but CANARY/secret exists in CANARY afterwards; the probe's
#    output must be tests/hostfs/escape.expected.
#
# Environment: UMK (./umk), UMK_MODES (the modes umk --help lists), B (build).
set -uo pipefail

. "$(dirname "$0")/../lib.sh"
lib_init hostfs
IMG=$B/test-rootfs.img
BIN=$B/tests/hostfs
loop_pid=
at_exit '[ -z "$loop_pid" ] || kill "$loop_pid" 2>/dev/null'


if [ ! -x "$UMK" ] || [ ! -f "$IMG" ] || [ ! -x "$BIN/hostfs_ops" ] ||
   [ ! -x "$BIN/escape" ] || [ ! -x "$BIN/swapper" ]; then
	notok "hostfs: umk, the test image or the probes are not built"
	tap_finish
	exit 1
fi

# The image: the test image plus the probes in /tests/hostfs.
img0=$S/hostfs.img
cp --sparse=always "$IMG" "$img0"
debugfs -w -R "mkdir /tests/hostfs" "$img0" > /dev/null 2>&1
for p in hostfs_ops escape; do
	debugfs -w -R "write $BIN/$p /tests/hostfs/$p" "$img0" > /dev/null 2>&1
done

# guest MODE TAG SCRIPT ARGS...: boot with SCRIPT as init's shell command;
# output (carriage returns dropped) in $S/TAG.out, status in $rc.
guest() {
	local mode=$1 tag=$2 script=$3
	shift 3
	cp --sparse=always "$img0" "$S/$tag.img"
	timeout -k 5 120 ${WRAP:-} "$UMK" "ubd0=$S/$tag.img" "mode=$mode" quiet \
		"$@" init=/bin/sh -- -c "$script" < /dev/null > "$S/$tag.raw" 2>&1
	rc=$?
	tr -d '\r' < "$S/$tag.raw" > "$S/$tag.out"
	rm -f "$S/$tag.img"
}

native_ops() {
	mkdir -p "$S/native-ops"
	"$BIN/hostfs_ops" "$S/native-ops" > "$S/native-ops.out" 2>&1
	if grep -qx 'DONE hostfs_ops' "$S/native-ops.out"; then
		ok "native/hostfs_ops (the reference on Linux)"
	else
		notok "native/hostfs_ops: the test itself fails on Linux"
		diag < "$S/native-ops.out"
	fi
}

ops() {
	local mode=$1 share=$S/$1-share
	mkdir -p "$share/ops"
	guest "$mode" "$mode-ops" "mkdir -p /mnt && mount -t hostfs none /mnt -o /ops && /tests/hostfs/hostfs_ops /mnt" \
		"hostfs=$share"
	if [ $rc -eq 0 ] && diff -u "$S/native-ops.out" "$S/$mode-ops.out" > "$S/$mode-ops.diff"; then
		ok "$mode: hostfs_ops in a hostfs mount matches Linux"
	else
		notok "$mode: hostfs_ops in a hostfs mount matches Linux (umk status $rc)"
		diag 30 < "$S/$mode-ops.diff"
	fi
	[ "$(cat "$share/ops/a")" = "hello Jorld" ] && [ "$(cat "$share/ops/m")" = map ] &&
	[ "$(stat -c '%a %s' "$share/ops/ro")" = "444 1" ] &&
	[ "$(ls "$share/ops" | tr '\n' ' ')" = "a m ro " ]
	if [ $? -eq 0 ]; then
		ok "$mode: the host sees what the guest wrote, and nothing else"
	else
		notok "$mode: the host sees what the guest wrote"
		ls -la "$share/ops" | diag
	fi
	if [ "$("$BIN/hostfs_ops" --getxattr "$share/ops/a" user.left)" = "by guest" ]; then
		ok "$mode: the host file has the user. xattr the guest set"
	else
		notok "$mode: the host file has the user. xattr the guest set"
		"$BIN/hostfs_ops" --getxattr "$share/ops/a" user.left 2>&1 | diag
	fi
}

refused() {
	local mode=$1
	mkdir -p "$S/$mode-unshared"
	guest "$mode" "$mode-refused" "dmesg -n 8; mkdir -p /mnt; mount -t hostfs none /mnt -o $S/$mode-unshared; echo status=\$?"
	if grep -q 'hostfs: refused: umk was booted without hostfs=DIR' "$S/$mode-refused.out" &&
	   grep -q 'permission denied' "$S/$mode-refused.out" &&
	   ! grep -qx 'status=0' "$S/$mode-refused.out"; then
		ok "$mode: without hostfs= a hostfs mount is refused (EPERM)"
	else
		notok "$mode: without hostfs= a hostfs mount is refused"
		diag < "$S/$mode-refused.out"
	fi
}

escape() {
	local mode=$1 share=$S/$1-eshare canary=$S/$1-outside secret st
	mkdir -p "$share/race" "$canary"
	secret="UMK-HOSTFS-SECRET-$RANDOM$RANDOM$RANDOM"
	echo "$secret" > "$canary/secret"
	echo decoy > "$share/race/secret"
	ln -s "$canary/secret" "$share/abs"
	ln -s "../$mode-outside/secret" "$share/rel"
	ln -s "$canary" "$share/dirlink"
	mkdir "$share/bind"
	ln -s "$canary" "$share/race.link"
	"$BIN/swapper" "$share" "$S/$mode-stop" "$S/$mode-swaps" &
	loop_pid=$!
	printf '#!/bin/sh\nmount --bind "%s" "%s" || exit 99\nexec "$@"\n' \
		"$canary" "$share/bind" > "$S/$mode-bindwrap"
	chmod +x "$S/$mode-bindwrap"
	WRAP="unshare -m $S/$mode-bindwrap" guest "$mode" "$mode-escape" \
		"mkdir -p /mnt; mount -t hostfs none /mnt -o $share && /tests/hostfs/escape /mnt $canary" \
		"hostfs=$share"
	touch "$S/$mode-stop"
	wait "$loop_pid"
	loop_pid=
	st=0
	if grep -qF "$secret" "$S/$mode-escape.out"; then
		notok "$mode: escape: the host secret reached the guest"
		st=1
	fi
	if [ "$(ls -A "$canary")" != secret ] || [ "$(cat "$canary/secret")" != "$secret" ]; then
		notok "$mode: escape: the guest changed the canary directory"
		ls -la "$canary" | diag
		st=1
	fi
	if [ $st -eq 0 ]; then
		ok "$mode: escape: no canary reached (secret unread, nothing created outside)"
	fi
	grep -v '^race: ' "$S/$mode-escape.out" > "$S/$mode-escape.cmp"
	if diff -u tests/hostfs/escape.expected "$S/$mode-escape.cmp" > "$S/$mode-escape.diff"; then
		ok "$mode: escape: every attempt fails as expected"
	else
		notok "$mode: escape: every attempt fails as expected (umk status $rc)"
		diag 30 < "$S/$mode-escape.diff"
	fi
	if grep -qx 'race: 3000 rounds, reads seen: yes' "$S/$mode-escape.out" &&
	   [ "$(cat "$S/$mode-swaps")" -gt 1000 ] 2>/dev/null; then
		ok "$mode: escape: the race ran ($(cat "$S/$mode-swaps") host swaps, guest reads went through)"
	else
		notok "$mode: escape: the race did not run"
		grep '^race' "$S/$mode-escape.out" | diag
	fi
}

native_ops
for mode in $MODES; do
	ops "$mode"
	refused "$mode"
	escape "$mode"
done
tap_finish

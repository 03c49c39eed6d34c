#!/usr/bin/env bash
# tests/gdb/run.sh: a gdb batch session on a live umk with the helpers of
# scripts/gdb/umk.py, in every mode of UMK_MODES. Prints TAP lines and
# "1..N"; exit status 0 iff all passed. make check runs it as
# unit/gdb_suite (tests/unit/gdb.mk).
#
# gdb starts umk, breaks in sys_sync while a guest subshell (with fds 5
# and 6 open) runs `sync` once init sleeps in wait4 (the subshell waits
# for init's state in /proc/1/stat), and runs umk-ps,
# umk-task for init (a switched-out stack) and for the current task,
# umk-files, umk-mounts and umk-dmesg; then it continues and the guest
# finishes. The output of each command is checked.
#
# Environment: UMK (./umk), UMK_MODES (the modes umk --help lists), B (build).
set -uo pipefail

. "$(dirname "$0")/../lib.sh"
lib_init gdb
IMG=$B/test-rootfs.img


if [ ! -x "$UMK" ] || [ ! -f "$IMG" ] || ! command -v gdb > /dev/null; then
	notok "gdb: umk, the test image or gdb (apt-get install gdb) is missing"
	tap_finish
	exit 1
fi

cat > "$S/cmds" <<GDB
set pagination off
set confirm off
set width 0
source $ROOT/scripts/gdb/umk.py
handle SIGALRM nostop noprint pass
break sys_sync
run
echo ==ps\n
umk-ps
echo ==task1\n
umk-task 1
echo ==taskcur\n
umk-task current->pid
echo ==files\n
umk-files current->pid
echo ==mounts\n
umk-mounts
echo ==dmesg\n
umk-dmesg
echo ==end\n
delete
continue
GDB

# section NAME: the lines gdb printed for one command.
section() { sed -n "/^==$1\$/,/^==/p" "$out"; }

for mode in $MODES; do
	img=$S/$mode.img
	out=$S/$mode.out
	cp --sparse=always "$IMG" "$img"
	timeout -k 5 180 gdb -batch -nx -x "$S/cmds" --args "$UMK" "ubd0=$img" \
		"mode=$mode" quiet init=/bin/sh -- -c \
		'mount -t proc p /proc; exec 5</etc/passwd; (exec 6>/tmp/x; until grep -q "^1 (sh) S" /proc/1/stat; do :; done; sync); echo guest-done' \
		< /dev/null > "$out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q 'hit Breakpoint 1.*sys_sync' "$out" &&
	   grep -qx 'guest-done' "$out" && grep -q 'exited normally' "$out"; then
		ok "$mode: gdb breaks in sys_sync, continues, umk exits normally"
	else
		notok "$mode: gdb breaks in sys_sync, continues, umk exits normally (gdb status $rc)"
		diag 30 < "$out"
	fi
	section ps | grep -Eq '^ +1 +1 +[0-9]+ S sh$' &&
	section ps | grep -Eq '^> +[0-9]+ +[0-9]+ +[0-9]+ R sync$'
	if [ $? -eq 0 ]; then ok "$mode: umk-ps lists init asleep and the current sync"
	else notok "$mode: umk-ps"; section ps | diag; fi
	section task1 | grep -q '^pid 1 (sh) state S' &&
	section task1 | grep -q 'schedule_sleep' &&
	section task1 | grep -q 'in sys_wait4 ' &&
	section task1 | grep -q 'in init_start '
	if [ $? -eq 0 ]; then ok "$mode: umk-task 1 unwinds init's switched-out stack down to init_start"
	else notok "$mode: umk-task 1"; section task1 | diag; fi
	section taskcur | grep -Eq '^#[01] .*sys_sync \(' &&
	section taskcur | grep -q 'task_main'
	if [ $? -eq 0 ]; then ok "$mode: umk-task of the current task is its running stack"
	else notok "$mode: umk-task current"; section taskcur | diag; fi
	section files | grep -Eq '^ +5 +[0-7]+ +0 /etc/passwd$' &&
	section files | grep -Eq '^ +6 +[0-7]+ +0 /tmp/x$' &&
	section files | grep -Eq '^ +1 +[0-7]+ +[0-9]+ /dev/console$'
	if [ $? -eq 0 ]; then ok "$mode: umk-files shows the fd table with paths"
	else notok "$mode: umk-files"; section files | diag; fi
	section mounts | grep -qx '/dev/ubda / ext4 rw' &&
	section mounts | grep -qx 'p /proc proc rw'
	if [ $? -eq 0 ]; then ok "$mode: umk-mounts lists the mounts"
	else notok "$mode: umk-mounts"; section mounts | diag; fi
	section dmesg | grep -q 'Run /bin/sh as init process' &&
	section dmesg | grep -q "Kernel command line: ubd0=$img mode=$mode"
	if [ $? -eq 0 ]; then ok "$mode: umk-dmesg prints the printk ring"
	else notok "$mode: umk-dmesg"; section dmesg | diag; fi
	rm -f "$img"
done
tap_finish

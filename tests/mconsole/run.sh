#!/usr/bin/env bash
# tests/mconsole/run.sh: the management console against Debian's real
# uml_mconsole (uml-utilities), in every mode of UMK_MODES. Prints TAP
# lines and "1..N"; exit status 0 iff all passed. make check runs it as
# unit/mconsole_suite (tests/unit/mconsole.mk).
#
# A umk boots with umid= and uml_dir= and a shell as init that obeys lines
# on umk's stdin (a FIFO) and answers on its stdout, so every step waits
# for an answer, never for time. Checked: the umid directory, its pid file
# and socket (modes 0700/0600), removed at exit; version, help, log, proc,
# stack, sysrq s/m/t/u/b, config/remove of a ubd disk the guest mounts
# (EBUSY while mounted), stop/go (nothing is served while stopped), cad,
# halt, reboot; UML's error replies to unknown commands and to malformed
# datagrams (mc_raw), after which umk answers on; another host user gets
# no answer; a second umk with the same umid is refused.
#
# Environment: UMK (./umk), UMK_MODES (the modes umk --help lists), B (build).
set -uo pipefail

. "$(dirname "$0")/../lib.sh"
lib_init mc
IMG=$B/test-rootfs.img
RAW=$B/tests/mconsole/mc_raw
pids=()
at_exit 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done'

if [ ! -x "$UMK" ] || [ ! -f "$IMG" ] || [ ! -x "$RAW" ]; then
	notok "mconsole: umk, the test image or mc_raw is not built"
	tap_finish
	exit 1
fi
if ! command -v uml_mconsole > /dev/null; then
	notok "mconsole: uml_mconsole is missing (apt-get install uml-utilities)"
	tap_finish
	exit 1
fi

# The guest's init: obeys one command per line of stdin.
GUEST_SH='mount -t proc proc /proc; mount -t devtmpfs dev /dev 2>/dev/null
echo READY
while read cmd; do
	case $cmd in
	mountb) mkdir -p /b; mount /dev/ubdb /b && echo hello > /b/f && echo MOUNTED ;;
	umountb) umount /b && echo UMOUNTED ;;
	parts) cat /proc/partitions; echo PARTS-END ;;
	tick) echo TICK ;;
	esac
done'

# start TAG MODE ARGS...: boot a commanded umk; its output is read line by
# line from fd ${OUT} and commands go to fd ${IN}.
start() {
	local tag=$1 mode=$2
	shift 2
	img=$S/$tag.img
	cp --sparse=always "$IMG" "$img"
	log=$S/$tag.log
	mkfifo "$S/$tag.in" "$S/$tag.out"
	"$UMK" "ubd0=$img" "mode=$mode" "$@" init=/bin/sh -- -c "$GUEST_SH" \
		< "$S/$tag.in" > "$S/$tag.out" 2> "$S/$tag.err" &
	umk_pid=$!
	pids+=("$umk_pid")
	exec {IN}> "$S/$tag.in"
	exec {OUT}< "$S/$tag.out"
	: > "$log"
	expect READY
}

# expect TEXT: read umk's output until a line containing TEXT (30 s).
expect() {
	local line
	while IFS= read -r -t 30 -u "$OUT" line; do
		echo "$line" >> "$log"
		case $line in *"$1"*) return 0 ;; esac
	done
	return 1
}

say_guest() { echo "$1" >&"$IN"; }

# logged PATTERN...: each pattern in umk's stderr within 60 s (the worker
# may still be syncing when the guest answers).
logged() {
	local p i
	for p; do
		for i in $(seq 600); do
			grep -q -- "$p" "$S/$tag.err" && break
			read -r -t 0.1 -u "$OUT" line && echo "$line" >> "$log"
		done
		grep -q -- "$p" "$S/$tag.err" || return 1
	done
}

# finish: wait for umk (60 s), close the pipes; sets $rc.
finish() {
	local i
	for i in $(seq 600); do
		kill -0 "$umk_pid" 2>/dev/null || break
		read -r -t 0.1 -u "$OUT" line && echo "$line" >> "$log"
	done
	cat <&"$OUT" >> "$log" 2>/dev/null
	wait "$umk_pid"
	rc=$?
	exec {IN}>&- {OUT}<&-
}

# uml_mconsole SOCKET ...: its stderr only warns that SOCKET is no umid.
mc() { uml_mconsole "$sock" "$@" 2>/dev/null; }

mconsole_session() {
	local mode=$1 tag=$1-main umid=mc-$1 dir out
	local uml=$S/uml-$mode
	sock=$uml/$umid/mconsole
	truncate -s 8M "$S/$mode-disk"
	mkfs.ext2 -q -F "$S/$mode-disk"
	start "$tag" "$mode" umid="$umid" uml_dir="$uml"
	dir=$uml/$umid
	[ -S "$sock" ] && [ "$(cat "$dir/pid" 2>/dev/null)" = "$umk_pid" ] &&
	[ "$(stat -c %a "$dir")" = 700 ] && [ "$(stat -c %a "$sock")" = 600 ]
	check $? "$mode: UML_DIR/UMID/ holds pid and the mconsole socket (0700, 0600)"

	out=$(mc version)
	[[ $out =~ ^OK\ Linux\ .*6\.1\.0-umk.*x86_64$ ]]
	check $? "$mode: version ($out)"
	mc help | grep -q 'stack <pid> - returns the stack of the specified pid'
	check $? "$mode: help"
	[ "$(mc log mconsole-log-marker)" = "OK 
OK " ] && logged '^\[ *[0-9.]*\] mconsole-log-marker$'
	check $? "$mode: log reaches the kernel log" cat "$S/$tag.err"
	mc proc meminfo | grep -q '^MemTotal: *262144 kB'
	check $? "$mode: proc meminfo"
	out=$(mc proc nonexistent)
	[ "$out" = "ERR Failed to open file" ]
	check $? "$mode: proc of a missing file ($out)"
	mc stack 1 > "$S/$tag.stack"
	grep -q '^OK pid 1 (sh) state S' "$S/$tag.stack" && grep -q 'poll_common\|sys_wait4\|do_wait' "$S/$tag.stack"
	check $? "$mode: stack 1 (init's sleeping kernel stack)" cat "$S/$tag.stack"
	[ "$(mc stack 999)" = "ERR Couldn't find that pid" ]
	check $? "$mode: stack of no such pid"
	[ "$(mc sysrq s)" = "OK " ] && [ "$(mc sysrq m)" = "OK " ] && [ "$(mc sysrq t)" = "OK " ]
	check $? "$mode: sysrq s, m, t answer"
	logged 'sysrq: Emergency Sync' 'Emergency Sync complete' 'Mem-Info' \
		'task:sh .*pid:1 '

	check $? "$mode: sysrq s, m, t in the kernel log" cat "$S/$tag.err"

	out=$(mc bogus)
	[ "$out" = "ERR Unknown command" ]
	check $? "$mode: unknown command ($out)"
	[ "$(mc go)" = "ERR Not stopped" ]
	check $? "$mode: go when not stopped"
	"$RAW" "$sock" magic > "$S/raw1"; "$RAW" "$sock" version > "$S/raw2"
	"$RAW" "$sock" toolarge > "$S/raw3"; "$RAW" "$sock" short > "$S/raw4"
	grep -qx 'raw: ERR Version 0 mconsole clients are not supported by this driver' "$S/raw1" &&
	grep -qx 'err=1 more=0 data=This driver only supports version 2 clients' "$S/raw2" &&
	grep -qx 'err=1 more=0 data=Request too large' "$S/raw3" &&
	grep -qx 'raw: ERR Version 0 mconsole clients are not supported by this driver' "$S/raw4" &&
	"$RAW" "$sock" ok | grep -q '^err=0 more=0 data=Linux'
	check $? "$mode: malformed datagrams get UML's error replies, umk answers on" cat "$S/raw2"

	chmod 755 "$S" "$uml" "$dir"; chmod 666 "$sock"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$RAW" "$sock" ok 2>&1)
	chmod 700 "$S" "$uml" "$dir"; chmod 600 "$sock"
	[ "$out" = "no reply" ]
	check $? "$mode: another host user is not answered, even with the socket opened up ($out)"

	out=$(mc config "ubd1=$S/$mode-disk")
	say_guest parts; expect PARTS-END
	[ "$out" = "OK " ] && grep -q 'ubdb$' "$log" && [ "$(mc config ubd1)" = "OK $S/$mode-disk" ]
	check $? "$mode: config ubd1=FILE hot-adds /dev/ubdb ($out)" cat "$log"
	say_guest mountb
	expect MOUNTED
	check $? "$mode: the guest mounts the hot-added disk" cat "$log"
	out=$(mc remove ubd1)
	[ "$out" = "ERR Device is currently open" ]
	check $? "$mode: remove of a mounted disk is refused (EBUSY: $out)"
	[ "$(mc remove ubd0)" = "ERR Device is currently open" ]
	check $? "$mode: remove of the root disk is refused"
	say_guest umountb; expect UMOUNTED
	out=$(mc remove ubd1)
	lines=$(wc -l < "$log")
	say_guest parts; expect PARTS-END
	[ "$out" = "OK " ] && ! tail -n +$((lines + 1)) "$log" | grep -q 'ubdb$' &&
	[ "$(debugfs -R 'cat /f' "$S/$mode-disk" 2>/dev/null)" = hello ] &&
	[ "$(mc remove ubd1)" = "ERR Device doesn't exist" ]
	check $? "$mode: remove after umount; the data reached the host file ($out)" cat "$log"

	out=$(mc stop)
	[ "$out" = "OK stopped" ]
	check $? "$mode: stop ($out)"
	say_guest tick
	! expect_quick TICK && [ "$(mc stop)" = "ERR Already stopped" ] &&
	mc version | grep -q '^OK Linux'
	check $? "$mode: nothing is served while stopped; the console still answers"
	[ "$(mc go)" = "OK " ] && expect TICK
	check $? "$mode: go resumes the guest"

	[ "$(mc sysrq u)" = "OK " ] && logged 'Emergency Remount complete' &&
	say_guest tick && expect TICK
	check $? "$mode: sysrq u" cat "$S/$tag.err"
	out=$(mc cad)
	finish
	[ "$out" = "OK " ] && [ "$rc" -eq 0 ] &&
	grep -q 'reboot: Restarting system' "$S/$tag.err"
	check $? "$mode: cad restarts (C_A_D on), umk exits 0 (rc $rc)" cat "$S/$tag.err"
	[ ! -e "$dir" ]
	check $? "$mode: the umid directory is gone after exit"
}

# expect_quick TEXT: the line within 1 s (for what must not come).
expect_quick() {
	local line
	while IFS= read -r -t 1 -u "$OUT" line; do
		echo "$line" >> "$log"
		case $line in *"$1"*) return 0 ;; esac
	done
	return 1
}

# end_with MODE COMMAND MESSAGE: a boot ended by one command.
end_with() {
	local mode=$1 cmd=$2 msg=$3 tag=$1-${2// /} umid=end-$1 out
	mkdir -p "$S/home-$mode"
	HOME=$S/home-$mode start "$tag" "$mode" umid="$umid"
	sock=$S/home-$mode/.uml/$umid/mconsole
	out=$(HOME=$S/home-$mode uml_mconsole "$umid" $cmd 2>/dev/null)
	finish
	[ "$out" = "OK " ] && [ "$rc" -eq 0 ] && grep -q "$msg" "$S/$tag.err" &&
	[ ! -e "$S/home-$mode/.uml/$umid" ]
	check $? "$mode: uml_mconsole UMID $cmd: \"$msg\", exit 0, directory removed (rc $rc)" cat "$S/$tag.err"
}

umid_in_use() {
	local mode=$1 tag=$1-inuse out st
	start "$tag" "$mode" umid=busy uml_dir="$S/uml-busy"
	cp --sparse=always "$IMG" "$S/$tag-2.img"
	out=$(timeout 30 "$UMK" "ubd0=$S/$tag-2.img" "mode=$mode" umid=busy \
		uml_dir="$S/uml-busy" init=/bin/true < /dev/null 2>&1)
	st=$?
	sock=$S/uml-busy/busy/mconsole
	mc halt > /dev/null
	finish
	[ $st -eq 1 ] && [[ $out == *"umid \"busy\" is in use by pid $umk_pid"* ]]
	check $? "$mode: a second umk with the same umid is refused ($out)"
}

for mode in $MODES; do
	mconsole_session "$mode"
	end_with "$mode" halt "reboot: System halted"
	end_with "$mode" reboot "reboot: Restarting system"
	end_with "$mode" "sysrq b" "sysrq: Resetting"
done
umid_in_use "${MODES%% *}"
tap_finish

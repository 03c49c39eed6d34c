#!/usr/bin/env bash
# tests/security/run.sh: the escape probes (DESIGN.md, "Security"), in every
# mode (tests/lib.sh). Prints TAP lines, "1..N" and "N passed, N failed";
# exit status 0 iff all passed. make check runs it as unit/security_suite (tests/unit/security.mk).
#
# For each probe (tests/security/*.c, built static into
# build/tests/security/) and each mode, the harness plants a canary
# directory on the host, outside the image: CANARY/secret holds a random
# secret readable by umk's host user, CANARY/created does not exist. The
# probe runs as init with CANARY as its argument and must
#   - print exactly tests/security/PROBE.expected (umk-only expectations;
#     PROBE.MODE.expected where a mode answers differently: in seccomp
#     mode a jump into the stub's code kills the process),
#   - never print the secret, and
#   - never create CANARY/created.
# Then, with the `hold` probe keeping a guest alive (two threads, two
# processes), the host side shows Seccomp: 2 (filter mode) in the status of
# every thread of umk and of every guest host process, and that a guest
# host process holds no host fd but the stub's two.
#
# Environment: UMK (./umk), UMK_MODES (the modes umk --help lists), B (build).
set -uo pipefail

. "$(dirname "$0")/../lib.sh"
lib_init sec
IMG=$B/test-rootfs.img
PROBES=$B/tests/security
pids=()
at_exit 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done'

finish() {
	tap_finish
	exit
}

if [ ! -x "$UMK" ] || [ ! -f "$IMG" ]; then
	notok "security: umk or the test image is not built"
	finish
fi

# The image: the test image plus the probes in /tests/security.
sec_img=$S/security.img
cp --sparse=always "$IMG" "$sec_img"
debugfs -w -R "mkdir /tests/security" "$sec_img" >/dev/null 2>&1
for bin in "$PROBES"/*; do
	[ -x "$bin" ] || continue
	debugfs -w -R "write $bin /tests/security/$(basename "$bin")" \
		"$sec_img" >/dev/null 2>&1
done

new_canary() {
	local c
	c=$(mktemp -d "$S/canary.XXXXXX")
	chmod 755 "$c"
	echo "UMK-SECRET-$RANDOM$RANDOM$RANDOM" > "$c/secret"
	chmod 644 "$c/secret"
	echo "$c"
}

# The expectation of PROBE in MODE.
expected() {
	if [ -f "tests/security/$2.$1.expected" ]; then
		echo "tests/security/$2.$1.expected"
	else
		echo "tests/security/$2.expected"
	fi
}

# run_probe MODE PROBE
run_probe() {
	local mode=$1 probe=$2 c img out st
	c=$(new_canary)
	img=$S/$mode-$probe.img
	out=$S/$mode-$probe.out
	cp --sparse=always "$sec_img" "$img"
	timeout -k 5 120 "$UMK" "ubd0=$img" "mode=$mode" quiet \
		"init=/tests/security/$probe" -- "$c" < /dev/null > "$out" 2>&1
	st=$?
	tr -d '\r' < "$out" > "$out.txt"
	if [ -e "$c/created" ]; then
		notok "$mode/$probe: the guest created a host file ($c/created)"
	elif grep -qF "$(cat "$c/secret")" "$out.txt"; then
		notok "$mode/$probe: the host secret reached the guest"
		diag < "$out.txt"
	elif ! diff -u "$(expected "$mode" "$probe")" "$out.txt" > "$out.diff"; then
		notok "$mode/$probe: as expected (umk exit $st)"
		diag 30 < "$out.diff"
	else
		ok "$mode/$probe: as expected, no canary reached"
	fi
	rm -f "$img"
}

# The host's view of a live guest: Seccomp: 2 everywhere, no stray fds.
host_view() {
	local mode=$1 c img out fifo umk line ready guests=0 bad=0 fdbad=0 p t
	local fds="3 4 "

	# The stub's fds: its memfd and umk's fd channel; in seccomp mode also
	# the doorbell eventfd, the global page and the process's region.
	[ "$mode" = seccomp ] && fds="3 4 5 6 7 "
	c=$(new_canary)
	img=$S/$mode-hold.img
	out=$S/$mode-hold.out
	fifo=$S/$mode-hold.fifo
	cp --sparse=always "$sec_img" "$img"
	mkfifo "$fifo"
	coproc HOLD { exec "$UMK" "ubd0=$img" "mode=$mode" quiet \
		init=/tests/security/hold -- "$c" < "$fifo" 2>&1; }
	umk=$HOLD_PID
	pids+=("$umk")
	exec 7> "$fifo"
	ready=0
	while IFS= read -r -t 60 -u "${HOLD[0]}" line; do
		echo "$line" >> "$out"
		case $line in *READY*) ready=1; break ;; esac
	done
	if [ "$ready" -eq 0 ]; then
		exec 7>&-
		notok "$mode/host view: the hold probe never got ready"
		diag < "$out"
		return
	fi
	for t in /proc/"$umk"/task/*; do
		grep -q '^Seccomp:[[:space:]]*2' "$t/status" || bad=$((bad + 1))
	done
	for p in $(pgrep -P "$umk"); do
		if [ "$(cat /proc/"$p"/comm 2> /dev/null)" = umk-net ]; then
			# The network helper (net_user.c): filtered, one fd.
			grep -q '^Seccomp:[[:space:]]*2' "/proc/$p/status" ||
				bad=$((bad + 1))
			[ "$(ls /proc/"$p"/fd | tr '\n' ' ')" = "3 " ] ||
				fdbad=$((fdbad + 1))
			continue
		fi
		guests=$((guests + 1))
		for t in /proc/"$p"/task/*; do
			grep -q '^Seccomp:[[:space:]]*2' "$t/status" ||
				bad=$((bad + 1))
		done
		[ "$(ls /proc/"$p"/fd | sort | tr '\n' ' ')" = "$fds" ] ||
			fdbad=$((fdbad + 1))
	done
	exec 7>&-
	cat <&"${HOLD[0]}" >> "$out"
	wait "$umk"
	if [ "$bad" -eq 0 ] && [ "$guests" -ge 2 ]; then
		ok "$mode/host view: umk's threads and all $guests guest host processes run under seccomp filters"
	else
		notok "$mode/host view: threads without a filter: $bad, guest host processes seen: $guests"
	fi
	if [ "$fdbad" -eq 0 ]; then
		ok "$mode/host view: guest host processes hold only the stub's fds ($fds)"
	else
		notok "$mode/host view: $fdbad guest host processes hold other host fds"
	fi
}

for mode in $MODES; do
	for src in tests/security/*.c; do
		probe=$(basename "$src" .c)
		[ "$probe" = hold ] && continue
		run_probe "$mode" "$probe"
	done
	host_view "$mode"
done
finish

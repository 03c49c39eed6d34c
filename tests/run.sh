#!/usr/bin/env bash
# tests/run.sh [PATTERN]: run umk's tests and print TAP lines, "ok N - what"
# or "not ok N - what" with "# ..." diagnostics, then "1..N" and one last
# line "N passed, N failed". Exit status 0 iff nothing failed.
#
# What runs (see tests/README.md):
#   unit/*     every executable in build/tests/unit/ (each speaks TAP)
#   native/*   each guest program and script run on the host: its own check
#   MODE/*     the same run inside umk in each mode, output compared with the
#              native run (or with an explicit expectation)
#   boot/*     umk's command line, console, exit status, errors, persistence
#   MODE/net/*, MODE/debian/*  the guest's network from the host; dynamic
#              glibc programs on a Debian root ($B/debian.img)
# PATTERN (an extended regex) keeps only the tests whose name matches.
#
# Environment: UMK (./umk), UMK_MODES (the modes `umk --help` lists),
# UMK_TIMEOUT (60 s per boot; 15 s once three boots have timed out), JOBS
# (nproc), B (build), CHECK_BUILD_STATUS (set by `make check`: bit 0 umk,
# bit 1 tests did not build).
set -uo pipefail

. "$(dirname "$0")/lib.sh"
lib_init tests
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
FILTER=${1:-}
IMG=$B/test-rootfs.img
GUEST=$B/tests/guest
UNIT=$B/tests/unit
NOT_COMPARED="segv umk_only listen_once families"	# guest programs with no native comparison
# Guest programs that take long in umk (tens of thousands of processes):
# their own boot timeout, and they start first.
declare -A SLOW_GUESTS=([pidwrap]=600 [manyproc]=300)
BASE_TIMEOUT=$UMK_TIMEOUT

mkdir -p "$S/res" "$S/native" "$S/run"
at_exit 'kill $(jobs -p) 2>/dev/null'
umask 022

# ---------------------------------------------------------------------------
# Jobs. A job's TAP lines go to its own file; the main loop prints the files
# in job order and numbers their lines.

# "ok N - what", "not ok N - what" (number and dash optional, as TAP).
TAP_LINE='^(not )?ok( +[0-9]+)? *-? *(.*)$'
njob=0
nprinted=0
ntap=0
npass=0
nfail=0

flush() {
	local f line kind what
	while [ $nprinted -lt $njob ] && [ -e "$S/res/$nprinted.done" ]; do
		f=$S/res/$nprinted
		if ! grep -qE '^(not )?ok' "$f"; then
			echo "not ok 1 - $(cat "$f.name") (the test produced no result)" >> "$f"
		fi
		while IFS= read -r line; do
			if [[ $line =~ $TAP_LINE ]]; then
				ntap=$((ntap + 1))
				if [ -z "${BASH_REMATCH[1]}" ]; then
					npass=$((npass + 1))
					echo "ok $ntap - ${BASH_REMATCH[3]}"
				else
					nfail=$((nfail + 1))
					echo "not ok $ntap - ${BASH_REMATCH[3]}"
				fi
			elif [[ $line == "#"* ]]; then
				echo "$line"
			fi
		done < "$f"
		nprinted=$((nprinted + 1))
	done
}

# selected NAME...: whether PATTERN keeps any of these test names.
selected() {
	local name
	[ -n "$FILTER" ] || return 0
	for name; do
		[[ $name =~ $FILTER ]] && return 0
	done
	return 1
}

# spawn NAME FUNCTION ARGS...: run a job in the background, JOBS at a time,
# if PATTERN selects NAME (or $FORCE is set).
spawn() {
	local name=$1
	shift
	[ -n "${FORCE:-}" ] || selected "$name" || return 0
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n 2>/dev/null
		flush
	done
	local id=$njob
	njob=$((njob + 1))
	echo "$name" > "$S/res/$id.name"
	( "$@" > "$S/res/$id" 2>&1; : > "$S/res/$id.done" ) &
	flush
}

finish_phase() {
	while [ -n "$(jobs -rp)" ]; do
		wait -n 2>/dev/null
		flush
	done
	wait
	flush
}

# ---------------------------------------------------------------------------
# Native runs: host busybox, a PATH of its applets, a clean environment.

BB=$S/busybox
mkdir -p "$BB"
HOST_BUSYBOX=$(command -v busybox || true)
if [ -n "$HOST_BUSYBOX" ]; then
	for a in $("$HOST_BUSYBOX" --list); do
		ln -s "$HOST_BUSYBOX" "$BB/$a"
	done
fi

# The guest's /tests, natively: T points here in scripts.
mkdir -p "$S/t"
ln -s "$GUEST" "$S/t/bin"
ln -s "$ROOT/tests/data" "$S/t/data"
ln -s "$ROOT/tests/scripts" "$S/t/scripts"

# Native runs get a network namespace of their own with lo up, as the
# guest's private network (unshare -n, as root); without one they run in
# the host's.
NETNS=()
LO_UP=
if unshare -n true 2> /dev/null && [ -n "$HOST_BUSYBOX" ]; then
	NETNS=(unshare -n)
	LO_UP='ip link set lo up; '
fi

# native_sh TAG CMD: run CMD with the host busybox sh in a fresh directory
# (also its TMPDIR). Its stdout and stderr both go to $S/native/TAG.out, as
# inside umk, where both are the console, which is umk's stdout.
native_sh() {
	local tag=$1 cmd=$2 dir=$S/run/native-$1
	mkdir -p "$dir"
	chmod 755 "$dir"
	(cd "$dir" && exec timeout -k 5 600 "${NETNS[@]}" env -i PATH="$BB" \
		HOME=/ TERM=linux TMPDIR="$dir" T="$S/t" LC_ALL=C "$BB/sh" \
		-c "$LO_UP$cmd") < /dev/null > "$S/native/$tag.out" 2>&1
}

# A guest program NAME, or NAME.pie / NAME.dyn (the other binary kinds of
# tests/tests.mk), prints "DONE NAME" and exits 0.
native_guest() {
	local name=$1 out=$S/native/$1.out
	if [ -z "$HOST_BUSYBOX" ]; then
		notok "native/$name (no host busybox: apt-get install busybox-static)"
		return
	fi
	native_sh "$name" "$GUEST/$name; echo exit=\$?"
	if grep -qx "DONE ${name%%.*}" "$out" && [ "$(tail -n 1 "$out")" = exit=0 ]; then
		ok "native/$name"
	else
		notok "native/$name (the test itself fails on Linux)"
		tail -n 8 "$out" | diag
	fi
	: > "$out.done"
}

native_script() {
	local name=$1 out=$S/native/script-$1.out
	if [ -z "$HOST_BUSYBOX" ]; then
		notok "native/script/$name (no host busybox)"
		return
	fi
	native_sh "script-$name" "cd \"\$TMPDIR\"; sh $ROOT/tests/scripts/$name.sh; echo exit=\$?"
	if [ -s "$out" ] && grep -qx 'exit=0' "$out"; then
		ok "native/script/$name"
	else
		notok "native/script/$name (the script fails with host busybox)"
		tail -n 8 "$out" | diag
	fi
	: > "$out.done"
}

# native_ready WHAT FILE: the native reference FILE is complete (its job
# ran first; it may still be finishing when a umk run starts).
native_ready() {
	wait_until 1200 test -e "$2.done" && return 0
	notok "$1 (its native run never finished)"
	return 1
}

# ---------------------------------------------------------------------------
# umk runs.

umk_missing() {
	if [ ! -x "$UMK" ]; then
		notok "$1 (umk not built)"
		return 0
	fi
	if [ ! -f "$IMG" ]; then
		notok "$1 (no test image $B/test-rootfs.img: make test-image)"
		return 0
	fi
	return 1
}

# boot TAG IMAGE ARGS...: umk_boot into $S/run/TAG.{out,err}, with the
# timeout shortened once three boots have timed out (umk is hanging: fail
# fast), or $BOOT_TIMEOUT for a slow test.
boot() {
	local tag=$1
	shift
	UMK_TIMEOUT=${BOOT_TIMEOUT:-$BASE_TIMEOUT}
	if [ -f "$S/timeouts" ] && [ "$(wc -l < "$S/timeouts")" -ge 3 ]; then
		UMK_TIMEOUT=15
	fi
	umk_boot "run/$tag" "$@"
	[ "$timed_out" = 0 ] || echo "$tag" >> "$S/timeouts"
}

# copy_image TAG: a private copy of the test image, path on stdout.
copy_image() {
	cp --sparse=always "$IMG" "$S/run/$1.img" && echo "$S/run/$1.img"
}

# compare WHAT EXPECTED-FILE TAG: the boot's output against EXPECTED.
compare() {
	local what=$1 expected=$2 tag=$3
	if [ $rc -eq 0 ] && cmp -s "$expected" "$S/run/$tag.out"; then
		ok "$what"
	else
		notok "$what"
		{
			boot_diag "run/$tag" nostdout
			diff -U1 --label expected --label umk "$expected" "$S/run/$tag.out" | head -n 30
		} | diag 40
	fi
}

umk_guest() {
	local mode=$1 name=$2 what="$1/$2" tag="$1-$2" img expected
	umk_missing "$what" && return
	img=$(copy_image "$tag") || { notok "$what (cannot copy the image)"; return; }
	BOOT_TIMEOUT=${SLOW_GUESTS[$name]:-} boot "$tag" "$img" mode="$mode" quiet rw \
		init=/bin/sh -- -c "/tests/bin/$name; echo exit=\$?"
	rm -f "$img"
	if [ "$name" = umk_only ]; then
		expected=$ROOT/tests/guest/umk_only.expected
	else
		expected=$S/native/$name.out
		native_ready "$what" "$expected" || return
	fi
	compare "$what" "$expected" "$tag"
}

umk_script() {
	local mode=$1 name=$2 what="$1/script/$2" tag="$1-script-$2" img
	umk_missing "$what" && return
	img=$(copy_image "$tag") || { notok "$what (cannot copy the image)"; return; }
	boot "$tag" "$img" mode="$mode" quiet rw -- "cd /tmp; sh /tests/scripts/$name.sh; echo exit=\$?"
	rm -f "$img"
	native_ready "$what" "$S/native/script-$name.out" || return
	compare "$what" "$S/native/script-$name.out" "$tag"
}

# umk_expect MODE NAME EXPECTED-TEXT ARGS...: boot with ARGS, expect output.
umk_expect() {
	local mode=$1 name=$2 expected=$3 what="$1/$2" tag="$1-${2//\//-}" img
	shift 3
	umk_missing "$what" && return
	img=$(copy_image "$tag") || { notok "$what (cannot copy the image)"; return; }
	printf '%s\n' "$expected" > "$S/run/$tag.expected"
	boot "$tag" "$img" mode="$mode" "$@"
	rm -f "$img"
	compare "$what" "$S/run/$tag.expected" "$tag"
}

# strace: every guest call as a line on stderr in strace's format, with the
# guest pid, decoded arguments and Linux's error text.
umk_strace() {
	local mode=$1 what="$1/strace" tag="$1-strace" img
	umk_missing "$what" && return
	img=$(copy_image "$tag") || return
	boot "$tag" "$img" mode="$mode" quiet rw strace init=/bin/sh -- -c \
		'/bin/cat /nonexistent; echo done'
	rm -f "$img"
	grep -q '^done$' "$S/run/$tag.out" &&
	grep -Eq '^\[pid  *1\] clone\(0x[0-9a-f]+, .*\) = [0-9]+$' "$S/run/$tag.err" &&
	grep -Eq '^\[pid  *[0-9]+\] execve\("/bin/cat", 0x[0-9a-f]+, 0x[0-9a-f]+\) = 0$' "$S/run/$tag.err" &&
	grep -Eq '^\[pid  *[0-9]+\] (open|openat)\((AT_FDCWD, )?"/nonexistent", O_RDONLY[^)]*\) = -1 ENOENT \(No such file or directory\)$' \
		"$S/run/$tag.err" &&
	grep -Eq '^\[pid  *1\] write\(1, "done\\n", 5\) = 5$' "$S/run/$tag.err"
	check $? "$what (strace lines: clone, execve, openat ENOENT, write)" \
		eval 'boot_diag "run/$tag"; grep -E "nonexistent|done" "$S/run/$tag.err" | head -n 5'
}

# stats: the counters printed at shutdown, consistent with the mode
# (every served call at least one stop; tt takes two stops per call).
umk_stats() {
	local mode=$1 what="$1/stats" tag="$1-stats" img
	umk_missing "$what" && return
	img=$(copy_image "$tag") || return
	boot "$tag" "$img" mode="$mode" quiet rw stats init=/bin/sh -- -c 'true'
	rm -f "$img"
	awk -v mode="$mode" '
		$1 == "syscalls" { calls = $2 }
		$1 == "ptrace_stops" || $1 == "seccomp_traps" { stops += $2 }
		$1 == "syscall.getpid.calls" { gp = $2 }
		$1 == "syscall.getpid.stops" { gps = $2 }
		$1 ~ /^ctxsw_(kernel_thread|guest)$/ { ctx++ }
		END { exit !(calls > 10 && stops >= calls && ctx == 2 &&
			     (gp == 0 || gps == (mode == "tt" ? 2 : 1) * gp)) }' \
		"$S/run/$tag.err"
	check $? "$what (stats at shutdown: counters, stops per call as the mode)" \
		eval 'boot_diag "run/$tag"; head -n 12 "$S/run/$tag.err"'
}

# Checks run by their own code (output only partly known).
umk_ps() {
	local mode=$1 what="$1/ps" tag="$1-ps" img
	umk_missing "$what" && return
	img=$(copy_image "$tag") || return
	boot "$tag" "$img" mode="$mode" quiet rw -- "ps"
	rm -f "$img"
	[ $rc -eq 0 ] && awk '$NF == "ps" { found = 1 } END { exit !found }' "$S/run/$tag.out"
	check $? "$what (ps lists itself)" eval 'boot_diag "run/$tag"'
}

umk_shadow() {
	local mode=$1 what="$1/shadow" tag="$1-shadow" img st=0 hostroot=
	umk_missing "$what" && return
	img=$(copy_image "$tag") || return
	boot "$tag" "$img" mode="$mode" quiet rw init=/bin/sh -- -c "cat /etc/shadow"
	rm -f "$img"
	[ $rc -eq 0 ] && grep -q '^root:GUEST-SHADOW-umk:' "$S/run/$tag.out" || st=1
	if [ -r /etc/shadow ]; then
		hostroot=$(grep '^root:' /etc/shadow | head -n 1)
		[ -z "$hostroot" ] || ! grep -qxF "$hostroot" "$S/run/$tag.out" || st=1
	fi
	check $st "$what (cat /etc/shadow shows the guest's, not the host's)" \
		eval 'boot_diag "run/$tag"'
}

# Boot 1 writes and powers off; the image checks clean; boot 2 reads back.
umk_persist() {
	local mode=$1 tag="$1-persist" img
	umk_missing "$mode/persist" && return
	img=$(copy_image "$tag") || return
	boot "$tag-1" "$img" mode="$mode" quiet rw init=/bin/sh -- \
		-c 'echo data > /root/persist; sync; poweroff -f; echo "poweroff returned"'
	[ $rc -eq 0 ] && [ ! -s "$S/run/$tag-1.out" ]
	check $? "$mode/persist: write, sync, poweroff -f exits 0" eval 'boot_diag "run/$tag-1"'
	e2fsck -fn "$img" > "$S/run/$tag.fsck" 2>&1
	check $? "$mode/persist: e2fsck -fn clean after poweroff" \
		eval 'tail -n 12 "$S/run/$tag.fsck"'
	[ "$(debugfs -R 'cat /root/persist' "$img" 2>/dev/null)" = data ]
	check $? "$mode/persist: the host sees /root/persist in the image"
	boot "$tag-2" "$img" mode="$mode" quiet rw init=/bin/sh -- -c 'cat /root/persist'
	[ $rc -eq 0 ] && [ "$(cat "$S/run/$tag-2.out")" = data ]
	check $? "$mode/persist: boot 2 reads the data back" eval 'boot_diag "run/$tag-2"'
	rm -f "$img"
}

# Console, exit status and quiet.
umk_console() {
	local mode=$1 tag="$1-console" img
	umk_missing "$mode/console" && return
	img=$(copy_image "$tag") || return
	STDIN=$S/run/$tag.in
	printf 'echo from-stdin\nexit 3\n' > "$STDIN"
	boot "$tag-stdin" "$img" mode="$mode" quiet rw init=/bin/sh
	STDIN=
	[ $rc -eq 3 ] && [ "$(cat "$S/run/$tag-stdin.out")" = from-stdin ]
	check $? "$mode/console: the shell reads umk's stdin; umk exits with init's status" \
		eval 'boot_diag "run/$tag-stdin"'
	boot "$tag-eof" "$img" mode="$mode" quiet rw init=/bin/sh
	[ $rc -eq 0 ]
	check $? "$mode/console: the shell exits at EOF on stdin, umk with 0" eval 'boot_diag "run/$tag-eof"'
	boot "$tag-exit" "$img" mode="$mode" quiet rw init=/bin/sh -- -c 'exit 42'
	[ $rc -eq 42 ]
	check $? "$mode/console: sh -c 'exit 42' as init gives umk exit status 42" eval 'boot_diag "run/$tag-exit"'
	boot "$tag-quiet" "$img" mode="$mode" quiet rw init=/bin/sh -- -c 'echo hi'
	[ $rc -eq 0 ] && [ "$(cat "$S/run/$tag-quiet.out")" = hi ] && [ ! -s "$S/run/$tag-quiet.err" ]
	check $? "$mode/console: quiet leaves stderr empty" eval 'boot_diag "run/$tag-quiet"'
	boot "$tag-loud" "$img" mode="$mode" rw init=/bin/sh -- -c 'echo hi'
	[ $rc -eq 0 ] && [ "$(cat "$S/run/$tag-loud.out")" = hi ] && [ -s "$S/run/$tag-loud.err" ]
	check $? "$mode/console: without quiet the boot log goes to stderr, not stdout" \
		eval 'boot_diag "run/$tag-loud"'
	rm -f "$img"
}

# ---------------------------------------------------------------------------
# The guest's network seen from the host: a guest listener on 127.0.0.1 is
# unreachable by default (net=private) and reachable with net=host. The
# guest (listen_once, as init) says "listening"; the host then connects
# with bash's /dev/tcp and reads the greeting, or fails to; a line on the
# guest's stdin (a FIFO) lets it go when nobody came.

# listening_or_gone TAG: the guest listens, or umk has ended.
listening_or_gone() {
	grep -q '^listening' "$S/run/$1.out" 2> /dev/null || [ -e "$S/run/$1.rc" ]
}

umk_net_reach() {
	local mode=$1 net=$2 what="$1/net/$2" tag="$1-net-$2" img port w got st
	umk_missing "$what" && return
	img=$(copy_image "$tag") || return
	port=$((20000 + RANDOM % 20000))
	mkfifo "$S/run/$tag.in"
	( timeout -k 5 60 "$UMK" "ubd0=$img" mode="$mode" quiet rw "net=$net" \
		init=/tests/bin/listen_once -- "$port" < "$S/run/$tag.in" \
		> "$S/run/$tag.out" 2> "$S/run/$tag.err"
	  echo $? > "$S/run/$tag.rc" ) &
	exec {w}> "$S/run/$tag.in"
	wait_until 60 listening_or_gone "$tag"
	got=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && head -n 1 <&3" 2> /dev/null)
	trap '' PIPE		# the guest may be gone already
	echo go >&$w 2> /dev/null
	exec {w}>&-
	wait
	rc=$(cat "$S/run/$tag.rc" 2> /dev/null || echo 255)
	rm -f "$img"
	st=1
	if ! grep -q '^listening' "$S/run/$tag.out"; then
		st=1
	elif [ "$net" = host ]; then
		[ "$got" = hello-from-guest ] && [ "$rc" = 0 ] && st=0
	else
		[ "$got" != hello-from-guest ] && [ "$rc" = 3 ] && st=0
	fi
	if [ "$net" = host ]; then
		check $st "$what (net=host: the host reaches a guest listener on 127.0.0.1)" \
			eval 'echo "host got: [$got], umk status $rc"; cat "$S/run/$tag.out" "$S/run/$tag.err"'
	else
		check $st "$what (default network: a guest listener on 127.0.0.1 is not reachable from the host)" \
			eval 'echo "host got: [$got], umk status $rc"; cat "$S/run/$tag.out" "$S/run/$tag.err"'
	fi
}

# The other way: a host listener on 127.0.0.1:PORT (listen_once, run on
# the host) that the guest tries with busybox nc. Under net=private the
# guest's 127.0.0.1 is its own (ECONNREFUSED) and nothing else is routed
# (192.0.2.2, TEST-NET-1: ENETUNREACH), and the host listener sees nobody;
# under net=host the guest reads the host listener's greeting.
umk_net_out() {
	local mode=$1 net=$2 what="$1/net/$2-out" tag="$1-net-$2-out" img port w lpid lrc st=1 script
	umk_missing "$what" && return
	img=$(copy_image "$tag") || return
	port=$((20000 + RANDOM % 20000))
	mkfifo "$S/run/$tag.in"
	"$GUEST/listen_once" "$port" < "$S/run/$tag.in" > "$S/run/$tag.host" 2>&1 &
	lpid=$!
	exec {w}> "$S/run/$tag.in"
	wait_until 10 grep -q '^listening' "$S/run/$tag.host"
	script="busybox nc 127.0.0.1 $port < /dev/null; echo lo=\$?"
	[ "$net" = private ] && script="$script; busybox nc 192.0.2.2 $port < /dev/null; echo net=\$?"
	boot "$tag" "$img" mode="$mode" quiet rw "net=$net" init=/bin/sh -- -c "$script"
	rm -f "$img"
	trap '' PIPE		# the listener may be gone already
	echo go >&$w 2> /dev/null
	exec {w}>&-
	wait $lpid
	lrc=$?
	if [ "$net" = host ]; then
		grep -qx hello-from-guest "$S/run/$tag.out" && grep -qx lo=0 "$S/run/$tag.out" &&
			[ $lrc = 0 ] && st=0
		check $st "$what (net=host: the guest reaches a host listener on 127.0.0.1)" \
			eval 'boot_diag "$tag"; echo "host listener status $lrc"; cat "$S/run/$tag.out" "$S/run/$tag.host"'
	else
		grep -q 'Connection refused' "$S/run/$tag.out" && grep -qx lo=1 "$S/run/$tag.out" &&
			grep -q 'Network is unreachable' "$S/run/$tag.out" && grep -qx net=1 "$S/run/$tag.out" &&
			! grep -q hello-from-guest "$S/run/$tag.out" && [ $lrc = 3 ] && st=0
		check $st "$what (net=private: host 127.0.0.1 is ECONNREFUSED, 192.0.2.2 ENETUNREACH)" \
			eval 'boot_diag "$tag"; echo "host listener status $lrc"; cat "$S/run/$tag.out" "$S/run/$tag.host"'
	fi
}

# ---------------------------------------------------------------------------
# The Debian bookworm root ($B/debian.img, scripts/mkdebian.sh): dynamic
# glibc programs over the socket families. One boot per mode runs
# tests/debian/guest.sh, whose "== name" sections are checked one by one
# against tests/debian/expected (ip: against the host's own ip addr in a
# fresh namespace).

DEB_IMG=$B/debian.img

# debian_section FILE NAME: the lines of section NAME.
debian_section() {
	awk -v n="== $2" '$0 == n { on = 1; next } /^== / { on = 0 } on' "$1"
}

umk_debian() {
	local mode=$1 tag="$1-debian" img name want
	if [ ! -x "$UMK" ]; then
		notok "$mode/debian (umk not built)"
		return
	fi
	if [ ! -f "$DEB_IMG" ]; then
		notok "$mode/debian (no $B/debian.img: make debian-image, as root; see $B/debian-image.log)"
		return
	fi
	img=$S/run/$tag.img
	cp --sparse=always "$DEB_IMG" "$img" || { notok "$mode/debian (cannot copy the image)"; return; }
	{
		echo "mkdir /t"
		for f in "$ROOT"/tests/debian/*.sh "$ROOT"/tests/debian/*.py; do
			echo "write $f /t/${f##*/}"
		done
	} > "$S/run/$tag.debugfs"
	debugfs -w -f "$S/run/$tag.debugfs" "$img" > /dev/null 2>&1
	BOOT_TIMEOUT=300 boot "$tag" "$img" mode="$mode" quiet rw -- "sh /t/guest.sh"
	rm -f "$img"
	for name in $(sed -n 's/^== //p' "$ROOT/tests/debian/expected"); do
		debian_section "$ROOT/tests/debian/expected" "$name" > "$S/run/$tag.want"
		if [ "$name" = ip_addr ] && [ -n "${NETNS[*]}" ] && command -v ip > /dev/null; then
			unshare -n sh -c 'ip link set lo up; ip addr' > "$S/run/$tag.want" 2>&1
		fi
		debian_section "$S/run/$tag.out" "$name" > "$S/run/$tag.got"
		cmp -s "$S/run/$tag.want" "$S/run/$tag.got"
		check $? "$mode/debian/$name" eval '[ $rc -eq 0 ] || boot_diag "run/$tag" nostdout; diff -U1 --label expected --label umk "$S/run/$tag.want" "$S/run/$tag.got" | head -n 20'
	done
}

# net=none: no AF_INET and no NETLINK_ROUTE, AF_UNIX as ever.
umk_net_none() {
	umk_expect "$1" net/none "$(printf 'inet: EAFNOSUPPORT\ninet6: EAFNOSUPPORT\nroute: EPROTONOSUPPORT\nunix: ok\n')" \
		quiet rw net=none init=/bin/sh -- -c '/tests/bin/families'
}

# ---------------------------------------------------------------------------
# Command line and error cases (run once, in the first mode).

umk_errors() {
	local mode=$1 tag=err img sum
	umk_missing "boot/errors" && return

	boot "$tag-missing" "$S/run/does-not-exist.img" mode="$mode" quiet
	[ $rc -ne 0 ] && [ $timed_out = 0 ] && grep -q 'does-not-exist.img' "$S/run/$tag-missing.err"
	check $? "boot/missing image: nonzero exit, message names the file" eval 'boot_diag "run/$tag-missing"'

	img=$S/run/zeros.img
	head -c 4194304 /dev/zero > "$img"
	sum=$(sha "$img")
	boot "$tag-zeros" "$img" mode="$mode" quiet
	[ $rc -ne 0 ] && [ $timed_out = 0 ] && [ -s "$S/run/$tag-zeros.err" ] && [ "$(sha "$img")" = "$sum" ]
	check $? "boot/image of zeros: nonzero exit, a message, the file unchanged" eval 'boot_diag "run/$tag-zeros"'
	rm -f "$img"

	boot "$tag-bogus" "" bogus=1
	[ $rc -eq 2 ] && [ "$(wc -l < "$S/run/$tag-bogus.err")" -eq 1 ] && [ ! -s "$S/run/$tag-bogus.out" ]
	check $? "boot/umk bogus=1: exit status 2, one line on stderr" eval 'boot_diag "run/$tag-bogus"'

	img=$(copy_image "$tag-bogus2") || return
	sum=$(sha "$img")
	boot "$tag-bogus2" "$img" bogus=1
	[ $rc -eq 2 ] && [ "$(sha "$img")" = "$sum" ]
	check $? "boot/umk ubd0=IMG bogus=1: exit status 2, image untouched" eval 'boot_diag "run/$tag-bogus2"'
	rm -f "$img"

	boot "$tag-help" "" --help
	[ $rc -eq 0 ] && grep -q 'ubd0' "$S/run/$tag-help.out"
	check $? "boot/umk --help: exit status 0, lists ubd0=" eval 'boot_diag "run/$tag-help"'

	img=$(copy_image "$tag-ro") || return
	sum=$(sha "$img")
	boot "$tag-ro" "$img" mode="$mode" quiet ro init=/bin/sh -- -c 'echo x > /root/f && echo wrote; echo done'
	[ $rc -eq 0 ] && [ "$(tail -n 1 "$S/run/$tag-ro.out")" = "done" ] &&
		! grep -qx wrote "$S/run/$tag-ro.out" && [ "$(sha "$img")" = "$sum" ]
	check $? "boot/ro: writes fail (EROFS), the image stays unchanged" eval 'boot_diag "run/$tag-ro"'
	rm -f "$img"

	# Linux (init/main.c) panics when the init= program cannot be run; it
	# never falls back to /sbin/init.
	img=$(copy_image "$tag-badinit") || return
	boot "$tag-badinit" "$img" mode="$mode" rw init=/nonexistent -- 'echo fell back'
	[ $rc -ne 0 ] && [ $timed_out = 0 ] &&
		grep -Eqx '(\[ *[0-9]+\.[0-9]+\] )?Kernel panic - not syncing: Requested init /nonexistent failed \(error -2\)\.' \
			"$S/run/$tag-badinit.out" "$S/run/$tag-badinit.err" &&
		! grep -q 'fell back' "$S/run/$tag-badinit.out"
	check $? "boot/init=/nonexistent: 'Requested init /nonexistent failed (error -2).' panic, nonzero exit, no fallback" \
		eval 'boot_diag "run/$tag-badinit"'
	rm -f "$img"

	img=$S/run/noinit.img
	mkdir -p "$S/run/noinit/bin"
	cp "$(readlink -f "${HOST_BUSYBOX:-/bin/busybox}")" "$S/run/noinit/bin/bb"
	if mke2fs -q -t ext4 -F -E root_owner=0:0 -d "$S/run/noinit" "$img" 8M > /dev/null 2>&1; then
		boot "$tag-noinit" "$img" mode="$mode"
		[ $rc -ne 0 ] && [ $timed_out = 0 ] &&
			grep -q 'Kernel panic - not syncing: No working init found\.' \
				"$S/run/$tag-noinit.out" "$S/run/$tag-noinit.err"
		check $? "boot/no init on the image: 'No working init found' panic, nonzero exit" \
			eval 'boot_diag "run/$tag-noinit"'
	else
		notok "boot/no init on the image (mke2fs failed)"
	fi
	rm -rf "$img" "$S/run/noinit"
}

# ---------------------------------------------------------------------------
# Unit tests: each executable prints TAP; its lines are renumbered here.

unit_test() {
	local path=$1 name=${1##*/} out=$S/run/unit-${1##*/} st line any=0 failed=0
	timeout -k 5 600 "$path" < /dev/null > "$out" 2>&1
	st=$?
	while IFS= read -r line; do
		if [[ $line =~ $TAP_LINE ]]; then
			any=1
			if [ -z "${BASH_REMATCH[1]}" ]; then
				ok "unit/$name: ${BASH_REMATCH[3]}"
			else
				failed=1
				notok "unit/$name: ${BASH_REMATCH[3]}"
			fi
		elif [[ $line == "#"* ]] && [ $failed = 1 ]; then
			echo "$line"
		fi
	done < "$out"
	if [ $st -ne 0 ] && [ $failed = 0 ]; then
		notok "unit/$name: exit status $st"
		tail -n 10 "$out" | diag
	elif [ $any = 0 ]; then
		notok "unit/$name: printed no TAP lines"
		tail -n 10 "$out" | diag
	fi
}

# ---------------------------------------------------------------------------

guests=()
for f in "$GUEST"/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	n=${f##*/}
	case " $NOT_COMPARED " in *" $n "*) continue ;; esac
	guests+=("$n")
done
[ ${#guests[@]} -gt 0 ] || echo "# no guest programs in $B/tests/guest (make test-guest)"
# The slow ones first, so they overlap the rest.
ordered=()
for n in "${guests[@]}"; do [ -n "${SLOW_GUESTS[$n]:-}" ] && ordered+=("$n"); done
for n in "${guests[@]}"; do [ -z "${SLOW_GUESTS[$n]:-}" ] && ordered+=("$n"); done
scripts=()
for f in "$ROOT"/tests/scripts/*.sh; do
	[ -f "$f" ] && scripts+=("$(basename "$f" .sh)")
done
[ -x "$UMK" ] || echo "# $UMK is not built: every umk test fails"
echo "# modes: $MODES"

# Phase 0: did `make check` build everything?
build_status() {
	local st=${CHECK_BUILD_STATUS:-0}
	[ $((st & 1)) -eq 0 ]
	check $? "build: umk"
	[ $((st & 2)) -eq 0 ]
	check $? "build: test programs, test image and unit tests"
}
if [ -n "${CHECK_BUILD_STATUS:-}" ]; then
	spawn build build_status
fi

# Natives first: they are the references of the umk runs, which wait for
# them. Then the slow guests of every mode, the long unit suites and the
# Debian boots, so they overlap the rest; then the unit tests and the umk
# runs.
# A native run is also the reference of its umk runs: kept if they are.
wanted_native() {
	local prefix=$1 n=$2 mode names=("native/$1$2")
	for mode in $MODES; do
		names+=("$mode/$prefix$n")
	done
	selected "${names[@]}"
}
for n in "${ordered[@]}"; do
	wanted_native "" "$n" && FORCE=1 spawn "native/$n" native_guest "$n"
done
for n in "${scripts[@]}"; do
	wanted_native script/ "$n" && FORCE=1 spawn "native/script/$n" native_script "$n"
done
units=()
if [ -d "$UNIT" ]; then
	for f in "$UNIT"/*_suite "$UNIT"/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		case " ${units[*]} " in *" $f "*) continue ;; esac
		units+=("$f")
	done
fi
for mode in $MODES; do
	for n in "${ordered[@]}"; do
		[ -n "${SLOW_GUESTS[$n]:-}" ] && spawn "$mode/$n" umk_guest "$mode" "$n"
	done
done
for f in "${units[@]}"; do
	[[ $f == *_suite ]] && spawn "unit/${f##*/}" unit_test "$f"
done
for mode in $MODES; do
	spawn "$mode/debian" umk_debian "$mode"
done
for f in "${units[@]}"; do
	[[ $f == *_suite ]] || spawn "unit/${f##*/}" unit_test "$f"
done
first=1
for mode in $MODES; do
	for n in "${ordered[@]}" umk_only; do
		[ -z "${SLOW_GUESTS[$n]:-}" ] && spawn "$mode/$n" umk_guest "$mode" "$n"
	done
	for n in "${scripts[@]}"; do
		spawn "$mode/script/$n" umk_script "$mode" "$n"
	done
	spawn "$mode/init" umk_expect "$mode" init \
		"$(printf 'umk\nproc ok\ndev ok\ntmpfs\ndevpts\ntmpfs\nexit=0\n')" quiet rw -- \
		'hostname; [ -r /proc/self/stat ] && echo proc ok; [ -c /dev/null ] && echo dev ok; stat -f -c %T /tmp /dev/pts /dev/shm; echo exit=$?'
	spawn "$mode/sysfs" umk_expect "$mode" sysfs \
		"$(printf '0\n0\n262144\n98:0\n65536\nro\n1\n')" quiet rw -- \
		'cd /sys; cat devices/system/cpu/online devices/system/cpu/possible block/ubda/size block/ubda/dev class/net/lo/mtu; touch /sys/x 2>/dev/null || echo ro; zcat /proc/config.gz | grep -c ^CONFIG_SYSVIPC=y'
	spawn "$mode/ps" umk_ps "$mode"
	spawn "$mode/strace" umk_strace "$mode"
	spawn "$mode/stats" umk_stats "$mode"
	spawn "$mode/shadow" umk_shadow "$mode"
	spawn "$mode/persist" umk_persist "$mode"
	spawn "$mode/console" umk_console "$mode"
	spawn "$mode/net/private" umk_net_reach "$mode" private
	spawn "$mode/net/host" umk_net_reach "$mode" host
	spawn "$mode/net/private-out" umk_net_out "$mode" private
	spawn "$mode/net/host-out" umk_net_out "$mode" host
	spawn "$mode/net/none" umk_net_none "$mode"
	if [ $first = 1 ]; then
		spawn "boot/errors" umk_errors "$mode"
		first=0
	fi
done
finish_phase

echo "1..$ntap"
echo "$npass passed, $nfail failed"
[ $nfail -eq 0 ]

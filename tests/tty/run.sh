#!/usr/bin/env bash
# tests/tty/run.sh: umk's console as a terminal, driven through tmux
# (send-keys, capture-pane) on the default image, in each mode of
# $UMK_MODES (default "skas tt seccomp"). Prints TAP lines "ok N - tty/..." or
# "not ok N - tty/..." with "# ..." diagnostics, then "N passed, N failed";
# exit status 0 iff nothing failed.
#
# Per mode: the boot prompt; ^C ends `sleep 100` within a second and the
# shell survives; ^Z, jobs, fg, ^C; bg and kill %1; the shell's line
# editing (erase, ^U, ^W); canonical input through the kernel's line
# discipline (erase, ^W, ^U, ^V, ^D); busybox vi edits and saves a file; stty -a is sane; stty -echo
# stops echo; a tmux resize changes `stty size`; tests/guest/ttyjob's
# output (SIGTTIN/SIGTTOU rules) equals its native run in a tmux pane;
# O_ASYNC on the terminal raises SIGIO for a typed line;
# `exit` ends umk with status 0 and the host terminal is as before
# (stty -g). Once: SIGTERM, SIGHUP, SIGINT to umk and a guest panic
# (init dies) leave the host terminal as it was.
#
# Environment: UMK (./umk), UMK_MODES, B (build), TTY_TIMEOUT (20 s to wait
# for a screen).
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
B=${B:-build}
UMK=${UMK:-$ROOT/umk}
MODES=${UMK_MODES:-skas tt seccomp}
WAIT=${TTY_TIMEOUT:-20}
PATH=$PATH:/sbin:/usr/sbin
export LC_ALL=C
unset TMUX

S=$(mktemp -d "${TMPDIR:-/tmp}/umk-tty.XXXXXX")
TMUX_CMD=(tmux -L "umk-tty-$$" -f /dev/null)
trap '"${TMUX_CMD[@]}" kill-server 2>/dev/null; rm -rf "$S"' EXIT

n=0
npass=0
nfail=0
ok() { n=$((n + 1)); npass=$((npass + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); nfail=$((nfail + 1)); echo "not ok $n - $1"; }
diag() { sed -e 's/^/# /' | tail -n "${1:-12}"; }
# check STATUS WHAT: ok if STATUS is 0, else the screen as diagnostics.
check() {
	if [ "$1" -eq 0 ]; then
		ok "$2"
	else
		notok "$2"
		screen | grep -v '^$' | diag
	fi
}
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit
}

if ! command -v tmux > /dev/null; then
	notok "tty: tmux is not installed (apt-get install tmux)"
	finish
fi
if [ ! -x "$UMK" ]; then
	notok "tty: umk is not built"
	finish
fi

# ---------------------------------------------------------------------------
# The image: the default image (its /sbin/init gives the shell a
# controlling tty on a terminal) plus /tests/bin/ttyjob and segv.

guest_prog() {
	local name=$1
	if [ -x "$B/tests/guest/$name" ] && [ "$B/tests/guest/$name" -nt "tests/guest/$name.c" ]; then
		realpath "$B/tests/guest/$name"
	elif gcc -std=gnu11 -static -O2 -D_GNU_SOURCE -pthread -o "$S/$name" \
		"tests/guest/$name.c" 2> "$S/$name.cc"; then
		echo "$S/$name"
	else
		return 1
	fi
}

make_image() {
	local base=$B/rootfs.img prog
	if [ ! -f "$base" ] || [ scripts/mkrootfs.sh -nt "$base" ]; then
		base=$S/rootfs.img
		scripts/mkrootfs.sh "$base" > "$S/mkrootfs.log" 2>&1 || return 1
	fi
	cp --sparse=always "$base" "$S/tty.img" || return 1
	{
		echo "mkdir /tests"
		echo "mkdir /tests/bin"
		for prog in ttyjob segv; do
			echo "write $(guest_prog $prog) /tests/bin/$prog"
			echo "sif /tests/bin/$prog mode 0100755"
		done
	} > "$S/debugfs.cmds"
	debugfs -w -f "$S/debugfs.cmds" "$S/tty.img" > "$S/debugfs.log" 2>&1 &&
		[ -n "$(debugfs -R 'ls /tests/bin' "$S/tty.img" 2>/dev/null | grep ttyjob)" ]
}

if ! make_image; then
	notok "tty: cannot make the test image"
	cat "$S"/*.log "$S"/*.cc 2>/dev/null | diag
	finish
fi

# ---------------------------------------------------------------------------
# tmux helpers. One session "t" at a time, 80x24 unless told.

T() { "${TMUX_CMD[@]}" "$@"; }
screen() { T capture-pane -p -J -S - -t t 2>/dev/null; }
keys() { T send-keys -t t "$@"; }
# type TEXT: literal text, then Enter.
type_line() { T send-keys -t t -l "$1"; T send-keys -t t Enter; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_for REGEX [SECONDS]: until a screen line matches (extended regex).
wait_for() {
	local end=$(($(now_ms) + ${2:-$WAIT} * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

# count REGEX: screen lines matching.
count() { screen | grep -cE -- "$1"; }

# wait_count REGEX N [SECONDS]: until at least N lines match.
wait_count() {
	local end=$(($(now_ms) + ${3:-$WAIT} * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		[ "$(count "$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

PROMPT='^root@umk:[^ ]*# '

# A session that outlives the others: the server never exits between
# tests (a client racing a server on its way out fails to start).
T new-session -d -s keep -x 80 -y 24 'sleep 100000'

# start_umk TAG ARGS...: a fresh session running umk on a copy of the
# image, with the host terminal's stty -g saved before and after.
start_umk() {
	local tag=$1
	shift
	T kill-session -t t 2>/dev/null
	cp --sparse=always "$S/tty.img" "$S/$tag.img"
	T new-session -d -s t -x 80 -y 24 \
		"cd '$ROOT'; stty -g > '$S/$tag.before'; '$UMK' ubd0='$S/$tag.img' $*; echo UMK-EXIT=\$?; stty -g > '$S/$tag.after'; sleep 1000"
}

umk_pid() {
	local pane
	pane=$(T list-panes -t t -F '#{pane_pid}' 2>/dev/null)
	pgrep -P "$pane" -x umk
}

# The host terminal was given back as umk found it.
restored() {
	local tag=$1
	wait_for '^UMK-EXIT=' 10 && sleep 0.3 && [ -s "$S/$tag.before" ] &&
		cmp -s "$S/$tag.before" "$S/$tag.after"
}

# ---------------------------------------------------------------------------

native_ttyjob() {
	T kill-session -t t 2>/dev/null
	T new-session -d -s t -x 80 -y 50 \
		"sh -c '$(guest_prog ttyjob); echo exit=\$?; sleep 1000'"
	wait_for '^type a line:' "$WAIT" && type_line hello
	wait_for '^exit=' "$WAIT"
	screen > "$S/native.screen"
	sed -n '/^BEGIN ttyjob/,/^DONE ttyjob/p' "$S/native.screen" > "$S/ttyjob.native"
	T kill-session -t t 2>/dev/null
}

mode_tests() {
	local mode=$1 p st t0 t1
	start_umk "$mode" mode="$mode" quiet

	wait_for "$PROMPT" "$WAIT"
	check $? "tty/$mode: the boot prompt appears"

	type_line 'sleep 100'
	sleep 0.5
	p=$(count "$PROMPT")
	t0=$(now_ms)
	keys C-c
	wait_count "$PROMPT" $((p + 1)) 1
	st=$?
	t1=$(now_ms)
	type_line 'echo "alive $?"'
	wait_for '^alive 130$' 5 && [ $st -eq 0 ]
	check $? "tty/$mode: ^C ends sleep 100 in $((t1 - t0)) ms (< 1 s), the shell lives on"

	type_line 'sleep 100'
	sleep 0.5
	keys C-z
	wait_for 'Stopped +sleep 100' 5
	st=$?
	type_line 'jobs; echo jobs-listed'
	wait_for '^jobs-listed' 5 && [ $st -eq 0 ] &&
		screen | grep -qE '^\[1\]\+ +Stopped +sleep 100'
	check $? "tty/$mode: ^Z stops sleep 100, jobs shows it stopped"
	type_line 'fg'
	sleep 0.5
	p=$(count "$PROMPT")
	keys C-c
	wait_count "$PROMPT" $((p + 1)) 3
	type_line 'jobs; echo "fg-ended $?"'
	wait_for '^fg-ended 0$' 5 && ! screen | sed -n '/# fg$/,$p' | grep -q 'Stopped'
	check $? "tty/$mode: fg resumes it, ^C ends it"

	type_line 'sleep 100 &'
	type_line 'jobs; echo bg-listed'
	wait_for '^bg-listed' 5 && screen | grep -qE '^\[1\]\+ +Running +sleep 100'
	st=$?
	type_line 'kill %1'
	sleep 0.5
	type_line 'jobs; echo after-kill'
	wait_for '^after-kill' 5 && [ $st -eq 0 ] &&
		[ -z "$(screen | sed -n '/kill %1/,$p' | grep -E 'Running')" ]
	check $? "tty/$mode: sleep 100 &, jobs shows it running, kill %1 ends it"

	type_line 'clear'
	sleep 0.3
	T send-keys -t t -l 'echo abcX'
	keys BSpace
	T send-keys -t t -l 'd; echo gone'
	keys C-u
	T send-keys -t t -l 'echo one two'
	keys C-w
	T send-keys -t t -l 'three'
	keys Enter
	wait_for '^one three$' 5 && ! screen | grep -qE '^(abcd|gone)$'
	check $? "tty/$mode: line editing: erase, ^U kills the line, ^W a word"

	type_line 'clear'
	type_line 'read -r x; echo "[$x] ${#x}"'
	sleep 0.3
	T send-keys -t t -l 'one twX'
	keys BSpace
	T send-keys -t t -l 'o three'
	keys C-w
	T send-keys -t t -l 'four'
	keys Enter
	wait_for '^\[one two four\] 12$' 5
	st=$?
	type_line 'read -r x; echo "[$x] ${#x}"'
	sleep 0.3
	T send-keys -t t -l 'garbage'
	keys C-u
	T send-keys -t t -l 'a'
	keys C-v C-c
	T send-keys -t t -l 'b'
	keys Enter
	wait_for '^\[ab\] 3$' 5 && screen | grep -q '^a\^Cb *$' && [ $st -eq 0 ]
	st=$?
	type_line 'cat > /tmp/eof.txt; wc -c < /tmp/eof.txt'
	sleep 0.3
	type_line 'line1'
	T send-keys -t t -l 'part'
	keys C-d C-d
	wait_for '^part10$' 5 && [ $st -eq 0 ]
	check $? "tty/$mode: canonical input: erase, ^W, ^U, ^V, ^D (EOF) as Linux's n_tty"

	type_line 'clear'
	type_line 'vi /tmp/vi.txt'
	wait_for '^~' 10
	st=$?
	keys i
	T send-keys -t t -l 'hello from vi'
	keys Escape
	sleep 0.3
	T send-keys -t t -l ':wq'
	keys Enter
	wait_for "$PROMPT" 5
	type_line 'cat /tmp/vi.txt; echo cat-done'
	wait_for '^cat-done' 5 && [ $st -eq 0 ] && screen | grep -qx 'hello from vi'
	check $? "tty/$mode: vi opens a file, inserts, saves with :wq; cat shows it"

	type_line 'clear'
	type_line 'stty -a'
	wait_for '^speed 38400 baud; rows 24; columns 80;' 5 &&
		screen | grep -q 'intr = \^C; quit = \^\\; erase = \^?; kill = \^U; eof = \^D' &&
		screen | grep -qE '(^| )icrnl ' && screen | grep -qE '(^| )opost ' &&
		screen | grep -qE '(^| )onlcr ' && screen | grep -qE '^isig icanon iexten echo echoe echok ' &&
		screen | grep -qE '(^| )echoctl echoke '
	check $? "tty/$mode: stty -a prints sane settings"

	type_line 'clear'
	type_line 'stty -echo'
	sleep 0.3
	type_line "echo sec''ret"
	wait_for '(^|# )secret$' 5 && ! screen | grep -qF "sec''ret"
	st=$?
	type_line 'stty echo'
	sleep 0.3
	type_line "echo vis''ible"
	wait_for '^visible$' 5 && screen | grep -qF "vis''ible" && [ $st -eq 0 ]
	check $? "tty/$mode: stty -echo stops echo, stty echo brings it back"

	type_line 'clear'
	type_line 'stty size'
	wait_for '^24 80$' 5
	st=$?
	T resize-window -t t -x 100 -y 30
	sleep 0.5
	type_line 'stty size'
	wait_for '^30 100$' 5 && [ $st -eq 0 ]
	check $? "tty/$mode: resizing the window changes stty size (SIGWINCH)"
	T resize-window -t t -x 80 -y 50
	sleep 0.3

	type_line 'clear'
	type_line '/tests/bin/ttyjob; echo exit=$?'
	wait_for '^type a line:' "$WAIT" && type_line hello
	wait_for '^exit=' "$WAIT"
	screen | sed -n '/^BEGIN ttyjob/,/^DONE ttyjob/p' > "$S/ttyjob.$mode"
	[ -s "$S/ttyjob.$mode" ] && cmp -s "$S/ttyjob.native" "$S/ttyjob.$mode"
	st=$?
	if [ $st -eq 0 ]; then
		ok "tty/$mode: ttyjob (SIGTTIN/SIGTTOU rules) as natively"
	else
		notok "tty/$mode: ttyjob (SIGTTIN/SIGTTOU rules) as natively"
		diff -U1 --label native --label umk "$S/ttyjob.native" "$S/ttyjob.$mode" | diag 30
	fi

	type_line 'exit'
	restored "$mode" && screen | grep -qx 'UMK-EXIT=0'
	check $? "tty/$mode: exit ends umk with 0, the host terminal is as before"
}

exit_tests() {
	local mode=$1 sig pid
	for sig in TERM HUP INT; do
		start_umk "$mode-$sig" mode="$mode" quiet
		wait_for "$PROMPT" "$WAIT"
		pid=$(umk_pid)
		[ -n "$pid" ] && kill -s "$sig" "$pid"
		restored "$mode-$sig" && screen | grep -qx "UMK-EXIT=$((128 + $(kill -l "$sig")))"
		check $? "tty/$mode: SIG$sig from the host ends umk, the terminal is restored"
	done
	start_umk "$mode-panic" mode="$mode" quiet init=/tests/bin/segv
	restored "$mode-panic" && screen | grep -q 'Kernel panic' &&
		! screen | grep -qx 'UMK-EXIT=0'
	check $? "tty/$mode: a guest panic (init dies) restores the terminal"
}

native_ttyjob
if [ ! -s "$S/ttyjob.native" ] || ! tail -n 1 "$S/ttyjob.native" | grep -qx 'DONE ttyjob'; then
	notok "tty/native: ttyjob runs natively in tmux"
	grep -v '^$' "$S/native.screen" | diag
fi
first=1
for mode in $MODES; do
	mode_tests "$mode"
	if [ $first = 1 ]; then
		exit_tests "$mode"
		first=0
	fi
done
finish

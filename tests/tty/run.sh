#!/usr/bin/env bash
# tests/tty/run.sh: umk's console as a terminal, driven through tmux
# (send-keys, capture-pane) on the default image, in each mode. Prints TAP
# lines "ok N - tty/..." or "not ok N - tty/..." with "# ..." diagnostics,
# then "1..N" and "N passed, N failed" (tests/lib.sh); exit status 0 iff
# nothing failed.
#
# Per mode: the boot prompt; ^C ends a foreground job (tests/tty/nap) and
# the shell survives; ^Z, jobs, fg, ^C; a background job, jobs, kill %1;
# the shell's line editing (erase, ^U, ^W); canonical input through the
# kernel's line discipline (erase, ^W, ^U, ^V, ^D); busybox vi edits and
# saves a file; stty -a is sane; stty -echo stops echo; a tmux resize
# changes `stty size`; tests/guest/ttyjob's output (SIGTTIN/SIGTTOU rules,
# O_ASYNC on the terminal) equals its native run in a tmux pane; `exit`
# ends umk with status 0 and the host terminal is as before (stty -g).
# Once: SIGTERM, SIGHUP, SIGINT to umk and a guest panic (init dies) leave
# the host terminal as it was.
#
# No fixed waits: every key is sent once the screen shows the state it is
# meant for (a marker the shell echoed, the prompt after it, vi's mode on
# its status line, nap's own messages), polled with capture-pane.
#
# Environment: UMK (./umk), UMK_MODES, B (build), TTY_TIMEOUT (60 s to
# wait for a screen).
set -uo pipefail

. "$(dirname "$0")/../lib.sh"
lib_init tty
WAIT=${TTY_TIMEOUT:-60}
unset TMUX
TMUX_CMD=(tmux -L "umk-tty-$$" -f /dev/null)
at_exit '"${TMUX_CMD[@]}" kill-server 2>/dev/null'

finish() {
	tap_finish
	exit
}

# check STATUS WHAT: ok if STATUS is 0, else the screen as diagnostics.
check_screen() {
	if [ "$1" -eq 0 ]; then
		ok "$2"
	else
		notok "$2"
		screen | grep -v '^$' | tail -n 15 | diag
	fi
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
# controlling tty on a terminal) plus /tests/bin/ttyjob, segv and nap.

# built PATH SOURCE: PATH if it is newer than SOURCE, else SOURCE compiled.
built() {
	local path=$1 src=$2 out=$S/${1##*/}
	if [ -x "$path" ] && [ "$path" -nt "$src" ]; then
		realpath "$path"
	elif gcc -std=gnu11 -static -O2 -D_GNU_SOURCE -pthread -o "$out" "$src" \
		2> "$out.cc"; then
		echo "$out"
	else
		return 1
	fi
}
guest_prog() { built "$B/tests/guest/$1" "tests/guest/$1.c"; }

make_image() {
	local base=$B/rootfs.img prog path
	if [ ! -f "$base" ] || [ scripts/mkrootfs.sh -nt "$base" ]; then
		base=$S/rootfs.img
		scripts/mkrootfs.sh "$base" > "$S/mkrootfs.log" 2>&1 || return 1
	fi
	cp --sparse=always "$base" "$S/tty.img" || return 1
	{
		echo "mkdir /tests"
		echo "mkdir /tests/bin"
		for prog in ttyjob segv nap; do
			if [ $prog = nap ]; then
				path=$(built "$B/tests/tty/nap" tests/tty/nap.c) || return 1
			else
				path=$(guest_prog $prog) || return 1
			fi
			echo "write $path /tests/bin/$prog"
			echo "sif /tests/bin/$prog mode 0100755"
		done
	} > "$S/debugfs.cmds" || return 1
	debugfs -w -f "$S/debugfs.cmds" "$S/tty.img" > "$S/debugfs.log" 2>&1 &&
		[ "$(debugfs -R 'ls -l /tests/bin' "$S/tty.img" 2>/dev/null | grep -cE ' (ttyjob|segv|nap) *$')" -eq 3 ]
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
text() { T send-keys -t t -l "$1"; }
# type_line TEXT: literal text, then Enter.
type_line() { text "$1"; keys Enter; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

PROMPT='^root@umk:[^ ]*# '
EMPTY_PROMPT='^root@umk:[^ ]*# *$'

on_screen() { screen | grep -qE -- "$1"; }
# wait_for REGEX [SECONDS]: until a screen line matches (extended regex).
# Once two waits of a session have failed (umk or the guest is stuck), the
# later ones wait 5 s at most: the tests fail either way, and a stuck mode
# must not hold the suite for a minute per key.
wait_failures=0
wait_for() {
	local t=${2:-$WAIT}
	[ "$wait_failures" -lt 2 ] || t=5
	wait_until "$t" on_screen "$1" && return 0
	wait_failures=$((wait_failures + 1))
	return 1
}
# count REGEX: screen lines matching.
count() { screen | grep -cE -- "$1"; }
# prompts_at_least N: N prompts on the screen, the last one empty (the
# shell waits for a line).
prompts_at_least() {
	[ "$(count "$PROMPT")" -ge "$1" ] &&
		[ -n "$(screen | grep -v '^ *$' | tail -n 1 | grep -E -- "$EMPTY_PROMPT")" ]
}

# A prompt with nothing typed after it, below the line MARK: the shell
# printed MARK, then its prompt, and now waits for a line. (Without echo,
# MARK follows the prompt the command was typed at.)
prompt_after() {
	screen | awk -v mark="$1" -v re="$EMPTY_PROMPT" '
		$0 == mark || substr($0, length($0) - length(mark) - 1) == "# " mark {
			seen = 1; next
		}
		seen && $0 ~ re { found = 1 }
		END { exit !found }'
}

wait_prompt_after() {
	local t=$WAIT
	[ "$wait_failures" -lt 2 ] || t=5
	wait_until "$t" prompt_after "$1" && return 0
	wait_failures=$((wait_failures + 1))
	return 1
}

# sync_shell: the shell has run everything typed so far and waits in its
# line editor for the next line (it sets up the editor before it prints
# its prompt).
nsync=0
sync_shell() {
	nsync=$((nsync + 1))
	type_line "echo SYNC-$nsync"
	wait_prompt_after "SYNC-$nsync"
}

# run_marked CMD: type "echo MARK; CMD" and wait for MARK: CMD runs with
# the terminal as the shell left it for commands (canonical mode).
nmark=0
run_marked() {
	nmark=$((nmark + 1))
	type_line "echo MARK-$nmark; $1"
	wait_for "^MARK-$nmark\$"
}

# A session that outlives the others: the server never exits between
# tests (a client racing a server on its way out fails to start).
T new-session -d -s keep -x 80 -y 24 'cat'

# start_umk TAG ARGS...: a fresh session running umk on a copy of the
# image, with the host terminal's stty -g saved before and after; then
# "UMK-EXIT=<status>" on the screen.
start_umk() {
	local tag=$1
	shift
	T kill-session -t t 2>/dev/null
	cp --sparse=always "$S/tty.img" "$S/$tag.img"
	T new-session -d -s t -x 80 -y 24 \
		"cd '$ROOT'; stty -g > '$S/$tag.before'; '$UMK' ubd0='$S/$tag.img' $*; rc=\$?; stty -g > '$S/$tag.after'; echo UMK-EXIT=\$rc; cat"
}

umk_pid() {
	local pane
	pane=$(T list-panes -t t -F '#{pane_pid}' 2>/dev/null)
	pgrep -P "$pane" -x umk
}

# The host terminal was given back as umk found it.
restored() {
	local tag=$1
	wait_for '^UMK-EXIT=' && [ -s "$S/$tag.before" ] &&
		cmp -s "$S/$tag.before" "$S/$tag.after"
}

# ---------------------------------------------------------------------------

native_ttyjob() {
	T kill-session -t t 2>/dev/null
	T new-session -d -s t -x 80 -y 50 \
		"sh -c '$(guest_prog ttyjob); echo exit=\$?; cat'"
	wait_for '^type a line:' && type_line hello
	wait_for '^exit='
	screen > "$S/native.screen"
	sed -n '/^BEGIN ttyjob/,/^DONE ttyjob/p' "$S/native.screen" > "$S/ttyjob.native"
	T kill-session -t t 2>/dev/null
}

# stty_size_is ROWS COLS: `stty size` in the guest shows it, tried until it
# does (the resize reaches the guest as SIGWINCH through umk), at most
# 100 times, each try waiting for its own output.
stty_size_is() {
	local i want="$1 $2"
	for i in $(seq 100); do
		type_line "stty size; echo SIZE-$nsync-$i"
		wait_for "^SIZE-$nsync-$i\$" || return 1
		screen | grep -B1 -x "SIZE-$nsync-$i" | head -n 1 | grep -qx "$want" && return 0
	done
	return 1
}

mode_tests() {
	local mode=$1 st t0 t1 p
	wait_failures=0
	start_umk "$mode" mode="$mode" quiet

	if ! wait_for "$PROMPT"; then
		check_screen 1 "tty/$mode: the boot prompt appears"
		notok "tty/$mode: every other terminal test (no prompt)"
		T kill-session -t t 2>/dev/null
		return
	fi
	ok "tty/$mode: the boot prompt appears"

	# ^C: nap runs in the foreground once it says so.
	sync_shell
	type_line '/tests/bin/nap 100 int'
	wait_for '^nap int: start$'
	p=$(count "$PROMPT")
	t0=$(now_ms)
	keys C-c
	wait_until $([ "$wait_failures" -lt 2 ] && echo "$WAIT" || echo 5) prompts_at_least $((p + 1))
	st=$?
	t1=$(now_ms)
	type_line 'echo "alive $?"'
	wait_for '^alive 130$' && [ $st -eq 0 ] && [ $((t1 - t0)) -lt 20000 ]
	check_screen $? "tty/$mode: ^C ends the foreground job (nap 100) in $((t1 - t0)) ms, the shell lives on"

	# ^Z, jobs, fg (nap says when SIGCONT reached it), ^C.
	type_line 'clear; /tests/bin/nap 100 stop'
	wait_for '^nap stop: start$'
	keys C-z
	wait_for 'Stopped +/tests/bin/nap 100 stop'
	st=$?
	type_line 'jobs; echo jobs-listed'
	wait_for '^jobs-listed' && [ $st -eq 0 ] &&
		screen | grep -qE '^\[1\]\+ +Stopped +/tests/bin/nap 100 stop'
	check_screen $? "tty/$mode: ^Z stops the job, jobs shows it stopped"
	type_line 'fg'
	wait_for '^nap stop: continued$'
	st=$?
	keys C-c
	sync_shell
	type_line 'jobs; echo "fg-ended $?"'
	wait_for '^fg-ended 0$' && [ $st -eq 0 ] &&
		! screen | sed -n '/# fg$/,$p' | grep -q 'Stopped'
	check_screen $? "tty/$mode: fg resumes it, ^C ends it"

	# A background job: listed as running; kill %1, and wait reports it.
	type_line 'clear; /tests/bin/nap 100 bg &'
	wait_for '(^|# )nap bg: start$'
	type_line 'jobs; echo bg-listed'
	wait_for '^bg-listed' && screen | grep -qE '^\[1\]\+ +Running +/tests/bin/nap 100 bg'
	st=$?
	type_line 'kill %1; wait %1; echo "waited $?"'
	wait_for '^waited 143$' && [ $st -eq 0 ]
	st=$?
	type_line 'jobs; echo after-kill'
	wait_for '^after-kill' && [ $st -eq 0 ] &&
		[ -z "$(screen | sed -n '/kill %1/,$p' | grep -E 'Running')" ]
	check_screen $? "tty/$mode: nap 100 &, jobs shows it running, kill %1 ends it"

	# The shell's own line editor (raw mode): keys arrive once it waits.
	type_line 'clear'
	sync_shell
	text 'echo abcX'
	keys BSpace
	text 'd; echo gone'
	keys C-u
	text 'echo one two'
	keys C-w
	text 'three'
	keys Enter
	wait_for '^one three$' && ! screen | grep -qE '^(abcd|gone)$'
	check_screen $? "tty/$mode: line editing: erase, ^U kills the line, ^W a word"

	# The kernel's line discipline (canonical mode): keys arrive once the
	# shell has handed the terminal to the command.
	type_line 'clear'
	run_marked 'read -r x; echo "[$x] ${#x}"'
	text 'one twX'
	keys BSpace
	text 'o three'
	keys C-w
	text 'four'
	keys Enter
	wait_for '^\[one two four\] 12$'
	st=$?
	run_marked 'read -r x; echo "[$x] ${#x}"'
	text 'garbage'
	keys C-u
	text 'a'
	keys C-v C-c
	text 'b'
	keys Enter
	wait_for '^\[ab\] 3$' && screen | grep -q '^a\^Cb *$' && [ $st -eq 0 ]
	st=$?
	run_marked 'cat > /tmp/eof.txt; wc -c < /tmp/eof.txt'
	type_line 'line1'
	text 'part'
	keys C-d C-d
	wait_for '^part10$' && [ $st -eq 0 ]
	check_screen $? "tty/$mode: canonical input: erase, ^W, ^U, ^V, ^D (EOF) as Linux's n_tty"

	# vi: each key once its status line shows the mode it is for.
	type_line 'clear; vi /tmp/vi.txt'
	wait_for '^~'
	st=$?
	keys i
	wait_for '^I /tmp/vi.txt'
	text 'hello from vi'
	keys Escape
	wait_for '^- /tmp/vi.txt .*Modified'
	text ':wq'
	keys Enter
	sync_shell
	type_line 'cat /tmp/vi.txt; echo cat-done'
	wait_for '^cat-done' && [ $st -eq 0 ] && screen | grep -qx 'hello from vi'
	check_screen $? "tty/$mode: vi opens a file, inserts, saves with :wq; cat shows it"

	type_line 'clear; stty -a'
	wait_for '^speed 38400 baud; rows 24; columns 80;' &&
		screen | grep -q 'intr = \^C; quit = \^\\; erase = \^?; kill = \^U; eof = \^D' &&
		screen | grep -qE '(^| )icrnl ' && screen | grep -qE '(^| )opost ' &&
		screen | grep -qE '(^| )onlcr ' && screen | grep -qE '^isig icanon iexten echo echoe echok ' &&
		screen | grep -qE '(^| )echoctl echoke '
	check_screen $? "tty/$mode: stty -a prints sane settings"

	# stty -echo: the shell reads its next line without echo (and without
	# its line editor); what it runs still prints.
	type_line 'clear; stty -echo; echo NOECHO'
	wait_prompt_after NOECHO
	type_line "echo sec''ret"
	wait_for '(^|# )secret$' && ! screen | grep -qF "sec''ret"
	st=$?
	type_line 'stty echo; echo ECHO-BACK'
	wait_prompt_after ECHO-BACK
	type_line "echo vis''ible"
	wait_for '^visible$' && screen | grep -qF "vis''ible" && [ $st -eq 0 ]
	check_screen $? "tty/$mode: stty -echo stops echo, stty echo brings it back"

	type_line 'clear'
	sync_shell
	stty_size_is 24 80
	st=$?
	T resize-window -t t -x 100 -y 30
	stty_size_is 30 100 && [ $st -eq 0 ]
	check_screen $? "tty/$mode: resizing the window changes stty size (SIGWINCH)"
	T resize-window -t t -x 80 -y 50
	stty_size_is 50 80

	type_line 'clear; /tests/bin/ttyjob; echo exit=$?'
	wait_for '^type a line:' && type_line hello
	wait_for '^exit='
	screen | sed -n '/^BEGIN ttyjob/,/^DONE ttyjob/p' > "$S/ttyjob.$mode"
	if [ -s "$S/ttyjob.$mode" ] && cmp -s "$S/ttyjob.native" "$S/ttyjob.$mode"; then
		ok "tty/$mode: ttyjob (SIGTTIN/SIGTTOU rules) as natively"
	else
		notok "tty/$mode: ttyjob (SIGTTIN/SIGTTOU rules) as natively"
		diff -U1 --label native --label umk "$S/ttyjob.native" "$S/ttyjob.$mode" | diag 30
	fi

	type_line 'exit'
	restored "$mode" && screen | grep -qx 'UMK-EXIT=0'
	check_screen $? "tty/$mode: exit ends umk with 0, the host terminal is as before"
}

exit_tests() {
	local mode=$1 sig pid
	wait_failures=0
	for sig in TERM HUP INT; do
		start_umk "$mode-$sig" mode="$mode" quiet
		wait_for "$PROMPT"
		pid=$(umk_pid)
		[ -n "$pid" ] && kill -s "$sig" "$pid"
		restored "$mode-$sig" && screen | grep -qx "UMK-EXIT=$((128 + $(kill -l "$sig")))"
		check_screen $? "tty/$mode: SIG$sig from the host ends umk, the terminal is restored"
	done
	start_umk "$mode-panic" mode="$mode" quiet init=/tests/bin/segv
	restored "$mode-panic" && screen | grep -q 'Kernel panic' &&
		! screen | grep -qx 'UMK-EXIT=0'
	check_screen $? "tty/$mode: a guest panic (init dies) restores the terminal"
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

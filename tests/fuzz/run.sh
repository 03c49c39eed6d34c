#!/usr/bin/env bash
# tests/fuzz/run.sh [--short]: fuzz umk's system call handlers from inside
# the guest, in every mode, and check that umk survives. Prints TAP lines
# "ok N - ..." / "not ok N - ..." with "# ..." diagnostics, then "1..N";
# exit status 0 iff everything passed.
#
#   sysfuzz   our own fuzzer (tests/fuzz/sysfuzz.c): random calls with valid
#             and hostile arguments in a forked child of the unprivileged
#             guest user 1000, killed and restarted every second
#   trinity   Debian's trinity, run as guest user 1000 through runas (skipped
#             by --short, which is what make check runs)
#   san/regress_*  the regression tests of the bugs fuzzing found, under
#             umk-san on the test image, output compared with the native run
#
# Each run boots the sanitizer build (umk-san, `make sanitize`) on a copy of
# the fuzz image build/fuzz/fuzz-rootfs.img under its /sbin/init (proc,
# tmpfs on /tmp, devtmpfs) (the test image's busybox root
# plus /fuzz: sysfuzz, runas, trinity and the host's ld.so and libc it
# needs), and passes if umk ends by itself with status 0 after the guest
# printed its end line, with no sanitizer report and no sandbox violation in
# its output; a run that outlives its time by FUZZ_GRACE seconds is a hang
# (umk's stacks go into the log when gdb is there). umk's host RSS is
# sampled during the run and reported as first sample -> largest sample.
# Logs are kept under build/fuzz/logs/ (--short: build/fuzz/logs-short/).
#
# Environment: UMK (./umk-san), UMK_MODES (the modes umk --help lists), FUZZ_SECONDS per run
# (1800; --short: 40), FUZZ_GRACE (120), FUZZ_SEED (random), FUZZ_LOGS (the
# log directory), FUZZ_STEPS ("sysfuzz trinity"), B (build).
set -uo pipefail

# umk-san unless UMK names another build; lib_init's default is umk.
UMK=${UMK:-$(cd "$(dirname "$0")/../.." && pwd)/umk-san}
. "$(dirname "$0")/../lib.sh"
lib_init fuzz
SHORT=0
[ "${1:-}" = --short ] && SHORT=1
if [ $SHORT = 1 ]; then SECS=${FUZZ_SECONDS:-40}; else SECS=${FUZZ_SECONDS:-1800}; fi
GRACE=${FUZZ_GRACE:-120}
# FUZZ_STEPS: which fuzzers run (default both; --short: sysfuzz only).
STEPS=${FUZZ_STEPS:-sysfuzz trinity}
SYSFUZZ=0 TRINITY=0
case " $STEPS " in *" sysfuzz "*) SYSFUZZ=1 ;; esac
case " $STEPS " in *" trinity "*) TRINITY=1 ;; esac
F=$B/fuzz
IMG=$F/fuzz-rootfs.img
LOGS=$F/logs
[ $SHORT = 1 ] && LOGS=$F/logs-short	# a long run may be going on
LOGS=${FUZZ_LOGS:-$LOGS}
# Reports to stderr, a small quarantine so RSS reflects umk's own memory,
# no leak check at exit (it would need a host process the sandbox forbids).
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:detect_leaks=0:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

umk_pid=
at_exit '[ -n "$umk_pid" ] && kill -9 "$umk_pid" 2>/dev/null'

# ---------------------------------------------------------------------------
# The fuzz image: the default busybox root (scripts/mkrootfs.sh), 256 MiB,
# plus /fuzz with our programs, trinity and the libraries trinity loads.

TRINITY=/usr/bin/trinity
FUZZ_BIN=$B/tests/fuzz

# debugfs commands that copy host file $1 to guest path $2, mode $3,
# making the directories on the way.
put() {
	local src=$1 dst=$2 mode=$3 d=
	local IFS=/
	for part in $(dirname "$dst"); do
		[ -n "$part" ] || continue
		d=$d/$part
		echo "mkdir $d"
	done
	echo "write $src $dst"
	echo "sif $dst mode 0100$mode"
}

make_image() {
	local inputs=("$FUZZ_BIN/sysfuzz" "$FUZZ_BIN/runas" scripts/mkrootfs.sh "$0")
	local cmds=$S/debugfs.cmds lib
	local have_trinity=0

	[ -x "$TRINITY" ] && have_trinity=1
	if [ -f "$IMG" ] && [ "$(cat "$IMG.trinity" 2>/dev/null)" = $have_trinity ]; then
		local stale=0
		for f in "${inputs[@]}"; do [ "$f" -nt "$IMG" ] && stale=1; done
		[ $stale = 0 ] && return 0
	fi
	mkdir -p "$F"
	ROOTFS_SIZE=256M scripts/mkrootfs.sh "$IMG.tmp" >/dev/null || return 1
	{
		put "$FUZZ_BIN/sysfuzz" /fuzz/sysfuzz 755
		put "$FUZZ_BIN/runas" /fuzz/runas 755
		if [ $have_trinity = 1 ]; then
			put "$TRINITY" /fuzz/trinity 755
			for lib in $(ldd "$TRINITY" | grep -oE '/[^ ]+'); do
				put "$(readlink -f "$lib")" "$lib" 755
			done
		fi
	} | awk '!seen[$0]++' > "$cmds"
	debugfs -w -f "$cmds" "$IMG.tmp" > "$S/debugfs.log" 2>&1
	if grep -iE 'error|invalid|not found|usage' "$S/debugfs.log" |
	   grep -v 'File exists' | grep -q .; then
		cat "$S/debugfs.log" >&2
		return 1
	fi
	echo $have_trinity > "$IMG.trinity"
	mv "$IMG.tmp" "$IMG"
}

# make_image under a lock: runs of several modes side by side would
# otherwise all rebuild a stale image at once, and fail.
make_image_locked() {
	local st

	mkdir -p "$F" || return 1
	exec 9> "$F/.image.lock"
	flock 9
	make_image
	st=$?
	exec 9>&-
	return $st
}

# ---------------------------------------------------------------------------
# One fuzz boot: boot MODE NAME GUEST-COMMAND END-MARKER

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

boot() {
	local mode=$1 name=$2 cmd=$3 marker=$4
	local log=$LOGS/$mode-$name.log img=$S/img st=0 hung=0
	local t0 deadline rss first= max=0 what

	cp --sparse=always "$IMG" "$img"
	t0=$(date +%s)
	deadline=$((t0 + SECS + GRACE))
	"$UMK" ubd0="$img" mode="$mode" quiet rw -- "$cmd" \
		< /dev/null > "$log" 2>&1 &
	umk_pid=$!
	while kill -0 "$umk_pid" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			hung=1
			break
		fi
		sleep 2
		rss=$(rss_kb "$umk_pid")
		[ -n "$rss" ] || continue
		# the first sample once the guest has run a tenth of the time
		if [ -z "$first" ] && [ $(( $(date +%s) - t0 )) -ge $((SECS / 10 + 2)) ]; then
			first=$rss
		fi
		[ "$rss" -gt "$max" ] && max=$rss
	done
	if [ $hung = 1 ]; then
		{
			echo "=== umk hung: host stacks"
			command -v gdb >/dev/null &&
				timeout 60 gdb -batch -p "$umk_pid" \
					-ex 'thread apply all bt 30' 2>&1 | grep -E '^(#|Thread)'
		} >> "$log"
		kill -9 "$umk_pid" 2>/dev/null
	fi
	wait "$umk_pid"
	st=$?
	umk_pid=
	what="$mode/$name ${SECS}s$(grep -oE 'sysfuzz: done [0-9]+ rounds' "$log" |
		sed 's/sysfuzz: done/,/')$(grep -oE '\[main\] [0-9]+ iterations' "$log" |
		tail -n 1 | sed 's/\[main\]/,/')$(grep -oE 'TRINITY-END runs=[0-9]+' "$log" |
		sed 's/TRINITY-END runs=/, trinity runs /'), umk RSS ${first:-?} -> $max kB"
	if [ $hung = 1 ]; then
		notok "$what: hang (no end after $((SECS + GRACE)) s)"
		grep -E 'round|^#' "$log" | tail -n 20 | diag 30
	elif grep -qE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|umk: sandbox:' "$log"; then
		notok "$what: sanitizer or sandbox report"
		grep -E -A25 'ERROR: AddressSanitizer|runtime error:|umk: sandbox:' "$log" | diag 40
		grep -E 'sysfuzz: round' "$log" | tail -n 2 | diag
	elif [ $name = trinity ] && ! grep -qE '\[main\] [0-9]+ iterations' "$log"; then
		notok "$what: trinity never got to fuzzing"
		grep -vE "Couldn't open socket|Can't do protocol" "$log" | tail -n 15 | diag
	elif [ $st -ne 0 ] || ! grep -q "^$marker" "$log"; then
		notok "$what: umk exit status $st, end line ${marker} $(grep -c "^$marker" "$log")"
		tail -n 15 "$log" | diag
	else
		ok "$what"
	fi
}

# ---------------------------------------------------------------------------
# The regression tests of the bugs fuzzing found (tests/guest/regress_*),
# under umk-san on the test image, each compared with its native run: some
# of those bugs show only under the sanitizer.

regress() {
	local mode=$1 prog name out=$S/regress
	for prog in "$B"/tests/guest/regress_*; do
		[ -x "$prog" ] || continue
		name=${prog##*/}
		(cd "$S" && env -i PATH=/bin:/usr/bin "$prog") > "$out.native" 2>&1
		cp --sparse=always "$B/test-rootfs.img" "$S/test.img"
		timeout -s KILL 120 "$UMK" ubd0="$S/test.img" mode="$mode" quiet rw \
			init=/bin/sh -- -c "/tests/bin/$name" < /dev/null \
			> "$out.umk" 2> "$out.err"
		if [ $? -eq 0 ] && tr -d '\r' < "$out.umk" | cmp -s - "$out.native" &&
		   ! grep -qE 'ERROR: AddressSanitizer|runtime error:|umk: sandbox:' "$out.err"; then
			ok "$mode/san/$name"
		else
			notok "$mode/san/$name"
			{ grep -E -A12 'ERROR: AddressSanitizer|runtime error:|umk: sandbox:' "$out.err"
			  diff "$out.native" "$out.umk"; } | diag 30
		fi
	done
}

# ---------------------------------------------------------------------------

mkdir -p "$LOGS"
if [ ! -x "$UMK" ]; then
	notok "fuzz: $UMK not built (make sanitize)"
elif ! make_image_locked; then
	notok "fuzz: cannot build $IMG"
else
	seed=${FUZZ_SEED:-}
	for mode in $MODES; do
		[ -f "$B/test-rootfs.img" ] && regress "$mode"
		[ $SYSFUZZ = 1 ] &&
		boot "$mode" sysfuzz "cd /tmp && /fuzz/sysfuzz $SECS $seed; echo SYSFUZZ-END \$?" \
			'SYSFUZZ-END 0'
		[ $SHORT = 1 ] || [ $TRINITY = 0 ] && continue
		if [ "$(cat "$IMG.trinity")" != 1 ]; then
			notok "$mode/trinity: trinity is not installed (make fuzz installs it)"
			continue
		fi
		# Sockets and perf are off: umk has no such families yet, and
		# trinity would spend the run probing them.
		# setsid: trinity's TIOCSTI of a ^C on the console would
		# otherwise signal init's shell, as on Linux.
		# The guest's OOM killer may end trinity's main process (what
		# its calls leave behind fills mem=; a 15-minute run was
		# ended so after 4 to 8 minutes): it is started again until
		# the time is up.
		boot "$mode" trinity "cd /home/user && end=\$((\$(date +%s) + $SECS)); runs=0; while [ \$(date +%s) -lt \$end ]; do runs=\$((runs + 1)); timeout -s KILL \$((end - \$(date +%s))) setsid /fuzz/runas 1000 /fuzz/trinity -q -l off --arch 64 -C 4 --disable-fds=sockets,perf ${seed:+-s $seed}; kill -9 -1; done; echo TRINITY-END runs=\$runs" \
			'TRINITY-END'
	done
fi
tap_finish

# tests/lib.sh: the harness shared by every test runner (tests/run.sh,
# tests/ubd/run.sh, tests/tty/run.sh). Source it, then call lib_init.
#
# TAP: ok WHAT, notok WHAT, check STATUS WHAT [DIAG-COMMAND...] print
# "ok N - WHAT" / "not ok N - WHAT" (diagnostics as "# ..." lines);
# tap_finish prints the plan "1..N" and "N passed, N failed" and returns 0
# iff nothing failed. A runner whose lines are collected by another
# (run.sh's jobs, a suite run as a unit test) is renumbered there.
#
# Set-up (lib_init NAME): the working directory is the repository root;
# ROOT, B (absolute), UMK, MODES, S (a scratch directory, removed at exit,
# with whatever at_exit added), LC_ALL=C, /sbin in PATH.
#
# umk: umk_boot TAG IMAGE ARGS... boots with a timeout, stdin from $STDIN
# (default /dev/null); it sets rc and timed_out and leaves stdout (carriage
# returns dropped) in $S/TAG.out, stderr in $S/TAG.err; boot_diag TAG says
# what went wrong.
#
# Waiting: wait_until SECONDS COMMAND... runs COMMAND until it succeeds, at
# most SECONDS: a bounded poll of something observable, never a fixed sleep.

# ---------------------------------------------------------------------------
# TAP

tap_n=0
tap_pass=0
tap_fail=0

ok() {
	tap_n=$((tap_n + 1))
	tap_pass=$((tap_pass + 1))
	echo "ok $tap_n - $1"
}

notok() {
	tap_n=$((tap_n + 1))
	tap_fail=$((tap_fail + 1))
	echo "not ok $tap_n - $1"
}

# diag [N]: stdin as "# " lines, the first N (20).
diag() { sed -e 's/^/# /' | head -n "${1:-20}"; }

# check STATUS WHAT [DIAG-COMMAND...]: ok if STATUS is 0, else not ok and
# the command's output as diagnostics.
check() {
	local st=$1 what=$2
	shift 2
	if [ "$st" -eq 0 ]; then
		ok "$what"
	else
		notok "$what"
		[ $# -eq 0 ] || "$@" 2>&1 | diag 40
	fi
}

tap_finish() {
	echo "1..$tap_n"
	echo "$tap_pass passed, $tap_fail failed"
	[ "$tap_fail" -eq 0 ]
}

# ---------------------------------------------------------------------------
# Set-up

lib_exit_cmds=()
at_exit() { lib_exit_cmds+=("$1"); }
lib_cleanup() {
	local c
	for c in "${lib_exit_cmds[@]}"; do eval "$c"; done
	chmod -R u+w "$S" 2>/dev/null
	rm -rf "$S"
}

# The modes umk offers, from `umk --help` ("mode=skas|tt|..."), unless
# UMK_MODES names them.
umk_modes() {
	local m
	if [ -n "${UMK_MODES:-}" ]; then
		echo "$UMK_MODES"
		return
	fi
	m=$("$UMK" --help 2>/dev/null | grep -o 'mode=[a-z|]*' | head -n 1)
	m=${m#mode=}
	if [ -n "$m" ]; then
		echo "${m//|/ }"
	else
		echo "skas tt seccomp"
	fi
}

# lib_init NAME: the common set-up of a runner.
lib_init() {
	cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
	ROOT=$PWD
	B=${B:-build}
	case $B in /*) ;; *) B=$ROOT/$B ;; esac
	UMK=${UMK:-$ROOT/umk}
	MODES=$(umk_modes)
	PATH=$PATH:/sbin:/usr/sbin
	export LC_ALL=C
	S=$(mktemp -d "${TMPDIR:-/tmp}/umk-$1.XXXXXX")
	chmod 755 "$S"
	trap lib_cleanup EXIT
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# wait_until SECONDS COMMAND...: until COMMAND succeeds; 1 if it never did.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	while :; do
		"$@" && return 0
		[ $SECONDS -lt "$end" ] || return 1
		sleep 0.05
	done
}

# ---------------------------------------------------------------------------
# umk

UMK_TIMEOUT=${UMK_TIMEOUT:-60}

# umk_boot TAG IMAGE ARGS...: umk ubd0=IMAGE ARGS (IMAGE empty: no ubd0).
umk_boot() {
	local tag=$1 img=$2 t=$UMK_TIMEOUT start=$SECONDS
	shift 2
	[ -z "$img" ] || set -- "ubd0=$img" "$@"
	timeout -k 5 "$t" "$UMK" "$@" < "${STDIN:-/dev/null}" \
		> "$S/$tag.raw" 2> "$S/$tag.err"
	rc=$?
	timed_out=0
	if [ $((SECONDS - start)) -ge "$t" ] && { [ $rc -eq 124 ] || [ $rc -eq 137 ]; }; then
		timed_out=1
	fi
	tr -d '\r' < "$S/$tag.raw" > "$S/$tag.out"
}

# boot_diag TAG [nostdout]: umk's status, the tail of stderr, the head of
# stdout.
boot_diag() {
	local tag=$1
	if [ "${timed_out:-0}" = 1 ]; then
		echo "umk timed out (status $rc)"
	elif [ "$rc" -gt 128 ]; then
		echo "umk exit status $rc (killed by SIG$(kill -l $((rc - 128)) 2>/dev/null))"
	else
		echo "umk exit status $rc"
	fi
	if [ -s "$S/$tag.err" ]; then
		echo "stderr:"
		tail -n 6 "$S/$tag.err"
	fi
	if [ -s "$S/$tag.out" ] && [ "${2:-}" != nostdout ]; then
		echo "stdout:"
		head -n 12 "$S/$tag.out"
	fi
}

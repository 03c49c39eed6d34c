#!/bin/bash
# bench/opcount.sh: what one operation of bench/micro costs in host events,
# natively and in umk's modes: CPU time (umk and every guest process, host
# kernel included), host context switches, host page faults, and from umk's
# own counters (boot option `stats`) ptrace stops, stub round trips and guest
# system calls; then, from strace -c of umk's kernel thread, the host system
# calls umk makes per operation, by name.
#
#   bench/opcount.sh [BENCH...]      default: fork exec pipe
#
# Each figure is (run of 2N ops - run of N ops) / N, so boot, warm-up and
# shutdown cancel out; counts are exact, times are medians of REPS pairs.
# Counts, unlike times, do not depend on what else the shared machine runs.
# Environment: UMK (./umk), B (build), MODES ("skas tt seccomp"), REPS (3),
# BENCH_CPU (1; "none": unpinned). Needs `make bench-progs`, perf, strace.
set -u

B=${B:-build}
OUT=$B/bench
UMK=${UMK:-./umk}
MODES=${MODES:-skas tt seccomp}
REPS=${REPS:-3}
BENCHES=${*:-fork exec pipe}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
declare -A N=([fork]=200 [exec]=50 [pipe]=2000 [getppid]=20000 [write]=20000 [read64m]=2)
declare -A NATIVE_N=([fork]=1000 [exec]=300 [pipe]=20000 [getppid]=200000 [write]=200000 [read64m]=10)

die() { echo "opcount: $*" >&2; exit 1; }
[ -x "$UMK" ] || die "$UMK not built"
[ -f "$OUT/bench.img" ] || die "make bench-progs first"
PIN=()
[ "${BENCH_CPU:-1}" = none ] || PIN=(taskset -c "${BENCH_CPU:-1}")
ROOT=$(cd "$OUT/root" && pwd)

cmd_for() {	# MODE BENCH ITERS
	case $1 in
	native) echo "$ROOT/bench/micro $2 $3 $ROOT/bench/true" ;;
	*) echo "$UMK ubd0=$OUT/bench.img quiet stats mode=$1 init=/bench/micro -- $2 $3 /bench/true" ;;
	esac
}

# one MODE BENCH ITERS: "key value" lines of one run.
one() {
	local f=$TMP/perf
	# shellcheck disable=SC2046
	"${PIN[@]}" perf stat -x, -o "$f" -e task-clock,context-switches,page-faults \
		$(cmd_for "$@") >"$TMP/out" 2>"$TMP/err" </dev/null
	sed -n 's/.*ns_per_op=\([0-9.]*\).*/wall_us \1/p' "$TMP/out" |
		awk '{ print $1, $2 / 1000 * '"$3"' }'
	awk -F, '$3 == "task-clock" { print "cpu_us", $1 * 1000 }
		 $3 == "context-switches" { print "ctxsw", $1 }
		 $3 == "page-faults" { print "faults", $1 }' "$f"
	awk '$1 ~ /^(syscalls|ptrace_stops|stub_calls|seccomp_traps)$/ { print $1, $2 }' "$TMP/err"
}

# host_calls MODE BENCH ITERS: umk's kernel thread's host syscalls by name.
host_calls() {
	# shellcheck disable=SC2046
	"${PIN[@]}" strace -c -o "$TMP/st" $(cmd_for "$@") >/dev/null 2>&1 </dev/null
	awk '$NF ~ /^[a-z_0-9]+$/ && $NF != "total" && $NF != "syscall" {
		print "sys." $NF, $4 }' "$TMP/st"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

# per_op MODE BENCH: the differences, one "key value" per line.
per_op() {
	local n r k
	n=${N[$2]}
	[ "$1" = native ] && n=${NATIVE_N[$2]}
	for ((r = 0; r < REPS; r++)); do
		one "$1" "$2" "$n" >"$TMP/a"
		one "$1" "$2" $((2 * n)) >"$TMP/b"
		awk -v n="$n" 'NR == FNR { a[$1] = $2; next } { printf "%s %.3f\n", $1, ($2 - a[$1]) / n }' \
			"$TMP/a" "$TMP/b"
	done >"$TMP/reps"
	for k in $(awk '{ print $1 }' "$TMP/reps" | sort -u); do
		echo "$k $(awk -v k="$k" '$1 == k { print $2 }' "$TMP/reps" | median)"
	done
	if [ "$1" != native ] && command -v strace >/dev/null; then
		host_calls "$1" "$2" "$n" >"$TMP/a"
		host_calls "$1" "$2" $((2 * n)) >"$TMP/b"
		awk -v n="$n" 'NR == FNR { a[$1] = $2; next }
			{ d = ($2 - a[$1]) / n; t += d; if (d >= 0.05) printf "%s %.2f\n", $1, d }
			END { printf "sys.TOTAL %.2f\n", t }' "$TMP/a" "$TMP/b"
	fi
}

echo "per operation: (2N ops - N ops) / N, median of $REPS${PIN:+, ${PIN[*]}}; $(date -u '+%F %T')"
for b in $BENCHES; do
	for m in native $MODES; do
		printf "%-8s %-8s" "$b" "$m"
		per_op "$m" "$b" | awk '{ printf " %s=%s", $1, $2 } END { print "" }'
	done
done

#!/bin/bash
# bench/run.sh: run bench/micro natively, in umk mode=skas and mode=tt, under
# gVisor (runsc, ptrace platform) and proot where installed, and the bare
# ptrace references; print µs per operation (median of BENCH_REPS runs) with
# ratios to native and host context switches per guest syscall; write
# $B/bench/results.txt and a gnuplot chart $B/bench/results.png.
#
# Expects `make bench-progs` to have built $B/bench (bench/bench.mk does it).
# Every run is pinned to one host CPU (BENCH_CPU, default the last one): on
# the 2-core VMs umk is built on, unpinned ptrace round trips vary 4x from run
# to run with where the scheduler puts tracer and tracee. BENCH_CPU=none
# turns pinning off.
# shellcheck disable=SC2015,SC2086 # runner commands split into words on purpose

set -u

B=${B:-build}
OUT=$B/bench
IMAGE=$OUT/bench.img
UMK=${UMK:-./umk}
REPS=${BENCH_REPS:-5}
LOG=$OUT/log.txt
RESULTS=$OUT/results.txt
DAT=$OUT/results.dat

BENCHES="getppid write pipe fork exec read64m"
declare -A LABEL=(
	[getppid]="null syscall (getppid)"
	[write]="write 1 byte /dev/null"
	[pipe]="pipe round trip"
	[fork]="fork+exit+wait"
	[exec]="fork+exec+wait"
	[read64m]="read 64 MiB file"
)
# Iterations per run: native, and under interception (about 1 s per run).
declare -A N_NATIVE=([getppid]=1000000 [write]=1000000 [pipe]=50000
	[fork]=2000 [exec]=500 [read64m]=20)
declare -A N_TRACED=([getppid]=100000 [write]=100000 [pipe]=5000
	[fork]=500 [exec]=100 [read64m]=3)
CS_ITERS=20000		# getppid calls for the context-switch count

die() { echo "bench: $*" >&2; exit 1; }

[ -x "$UMK" ] || die "$UMK not built (make umk)"
[ -f "$IMAGE" ] && [ -x "$OUT/bin/ptrace_ref" ] ||
	die "bench programs not built (make bench-progs)"
# Measure a snapshot, so that a rebuild of ./umk meanwhile changes nothing.
cp "$UMK" "$OUT/umk" || die "cannot copy $UMK"
UMK=$OUT/umk
ROOT=$(cd "$OUT/root" && pwd)
HOSTBIN=$(cd "$OUT/bin" && pwd)

PIN=()
if [ "${BENCH_CPU:-}" != none ] && command -v taskset >/dev/null; then
	CPU=${BENCH_CPU:-$(($(nproc) - 1))}
	PIN=(taskset -c "$CPU")
fi

# Runners: name, then the command prefix that takes "NAME ITERS [PATH]".
RUNNERS="native skas tt"
declare -A NOTE=()
runner_cmd() {
	case $1 in
	native) echo "$ROOT/bench/micro" ;;
	skas|tt) echo "$UMK ubd0=$IMAGE quiet mode=$1 init=/bench/micro --" ;;
	gvisor) echo "runsc --network=none --platform=ptrace do $ROOT/bench/micro" ;;
	proot) echo "proot -r / $ROOT/bench/micro" ;;
	esac
}
# Paths as each runner sees them: the guest image, or the host's tree.
bench_path() {
	local dir=$ROOT/bench
	case $1 in skas|tt) dir=/bench ;; esac
	case $2 in
	exec) echo "$dir/true" ;;
	read64m) echo "$dir/data" ;;
	esac
}
for peer in gvisor:runsc proot:proot; do
	if command -v "${peer#*:}" >/dev/null; then
		RUNNERS="$RUNNERS ${peer%%:*}"
	else
		NOTE[${peer%%:*}]="${peer#*:} not installed, skipped"
	fi
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
fmt() {
	awk -v v="$1" 'BEGIN {
		if (v == "") printf "-"
		else if (v < 10) printf "%.2f", v
		else if (v < 1000) printf "%.1f", v
		else printf "%.0f", v }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print ""; else printf "%.2f", a / b }'; }

# run_once RUNNER BENCH ITERS: ns per op of one run, or nothing on failure.
run_once() {
	local cmd out
	cmd="$(runner_cmd "$1") $2 $3 $(bench_path "$1" "$2")"
	echo "+ ${PIN[*]} $cmd" >>"$LOG"
	out=$("${PIN[@]}" $cmd 2>>"$LOG" </dev/null)
	echo "$out" >>"$LOG"
	echo "$out" | grep "^$2 " | field ns_per_op
}

# measure RUNNER BENCH: median µs per op over REPS runs.
measure() {
	local n i
	if [ "$1" = native ]; then n=${N_NATIVE[$2]}; else n=${N_TRACED[$2]}; fi
	for ((i = 0; i < REPS; i++)); do
		run_once "$1" "$2" "$n"
	done | median | awk '{ printf "%.4f", $1 / 1000 }'
}

# ctxsw_per_call RUNNER: host context switches per guest getppid, from the
# difference between a short and a long run (boot and exit cancel out).
ctxsw_per_call() {
	local cmd i a b
	cmd=$(runner_cmd "$1")
	for ((i = 0; i < 3; i++)); do
		a=$("${PIN[@]}" "$HOSTBIN/ctxsw" $cmd getppid 1000 2>>"$LOG" </dev/null | field ctxsw)
		b=$("${PIN[@]}" "$HOSTBIN/ctxsw" $cmd getppid $((1000 + CS_ITERS)) 2>>"$LOG" </dev/null | field ctxsw)
		[ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" -v n=$CS_ITERS 'BEGIN { printf "%.2f\n", (b - a) / n }'
	done | median
}

# ref MODE: median µs per call and context switches per call of ptrace_ref.
ref() {
	local i
	for ((i = 0; i < REPS; i++)); do
		"${PIN[@]}" "$HOSTBIN/ptrace_ref" "$1" "${N_TRACED[getppid]}" 2>>"$LOG"
	done >"$OUT/ref-$1.txt"
	REF_US[$1]=$(field ns_per_op <"$OUT/ref-$1.txt" | median | awk '{ printf "%.4f", $1 / 1000 }')
	REF_CS[$1]=$(field ctxsw_per_call <"$OUT/ref-$1.txt" | median)
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

: >"$LOG"
declare -A US=() CS=() REF_US=() REF_CS=()
echo "bench: runners: $RUNNERS; $REPS runs each${PIN:+, pinned to CPU $CPU}; log in $LOG" >&2
for r in $RUNNERS; do
	for b in $BENCHES; do
		echo "bench: $r $b" >&2
		US[$r,$b]=$(measure "$r" "$b")
	done
	[ "$r" = native ] || CS[$r]=$(ctxsw_per_call "$r")
done
echo "bench: ptrace references" >&2
ref sysemu
ref syscall

report() {
	local r b line v
	echo "umk microbenchmarks: µs per operation, median of $REPS runs, (ratio to native)"
	echo "host: $(nproc) CPUs, $(uname -r)${PIN:+, every run pinned to CPU $CPU}; $(date -u +%F)"
	echo
	printf "%-24s" benchmark
	for r in $RUNNERS; do printf "%20s" "$r"; done
	echo
	for b in $BENCHES; do
		printf "%-24s" "${LABEL[$b]}"
		for r in $RUNNERS; do
			v=${US[$r,$b]}
			if [ -z "$v" ]; then
				line="failed"
			elif [ "$r" = native ]; then
				line=$(fmt "$v")
			else
				line="$(fmt "$v") ($(fmt "$(ratio "$v" "${US[native,$b]}")")x)"
			fi
			printf "%20s" "$line"
		done
		echo
	done
	printf "%-24s" "host ctxsw / syscall"
	for r in $RUNNERS; do
		[ "$r" = native ] && v=0 || v=${CS[$r]:-}
		printf "%20s" "${v:--}"
	done
	echo
	echo
	echo "read 64 MiB throughput (MiB/s):$(for r in $RUNNERS; do
		v=${US[$r,read64m]}
		[ -n "$v" ] && awk -v r="$r" -v v="$v" 'BEGIN { printf " %s %.0f", r, 64 / (v / 1e6) }'
	done)"
	echo
	echo "bare ptrace references (a tracer answering a tight getppid loop, nothing else):"
	printf "  %-38s %8s µs  %s ctxsw/call\n" \
		"PTRACE_SYSEMU, 1 stop (SKAS floor)" "$(fmt "${REF_US[sysemu]}")" "${REF_CS[sysemu]}" \
		"PTRACE_SYSCALL + nulling (TT floor)" "$(fmt "${REF_US[syscall]}")" "${REF_CS[syscall]}"
	echo
	echo "targets (measured, not asserted):"
	printf "  skas getppid / PTRACE_SYSEMU ref   %5sx  (target <= 1.15)\n" \
		"$(ratio "${US[skas,getppid]}" "${REF_US[sysemu]}")"
	printf "  tt getppid / PTRACE_SYSCALL ref    %5sx  (target <= 1.15)\n" \
		"$(ratio "${US[tt,getppid]}" "${REF_US[syscall]}")"
	printf "  tt getppid / skas getppid          %5sx  (target about 2)\n" \
		"$(ratio "${US[tt,getppid]}" "${US[skas,getppid]}")"
	if [ -n "${US[gvisor,getppid]:-}" ]; then
		for b in $BENCHES; do
			printf "  gVisor / skas, %-19s %5sx  (target > 1)\n" "$b" \
				"$(ratio "${US[gvisor,$b]}" "${US[skas,$b]}")"
		done
	else
		echo "  skas vs gVisor: ${NOTE[gvisor]:-gVisor failed (see log)}"
	fi
	for r in "${!NOTE[@]}"; do echo "note: ${NOTE[$r]}"; done
}
report | tee "$RESULTS"

# Chart: one cluster of bars per benchmark, one bar per runner, log scale.
{
	echo "benchmark $RUNNERS"
	for b in $BENCHES; do
		printf "\"%s\"" "${LABEL[$b]}"
		for r in $RUNNERS; do printf " %s" "${US[$r,$b]:-NaN}"; done
		echo
	done
} >"$DAT"
if ! command -v gnuplot >/dev/null && [ -x scripts/setup.sh ]; then
	scripts/setup.sh gnuplot-nox >>"$LOG" 2>&1
fi
if command -v gnuplot >/dev/null; then
	ncol=$(($(wc -w <<<"$RUNNERS") + 1))
	gnuplot >>"$LOG" 2>&1 <<EOF
set terminal pngcairo size 1200,600 font "sans,10"
set output "$OUT/results.png"
set title "umk microbenchmarks: µs per operation (median of $REPS, log scale)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "µs per operation"
set grid ytics
set key top left
set xtics noenhanced font ",9"
set xrange [-0.6:5.6]
plot for [i=2:$ncol] "$DAT" using i:xtic(1) title columnheader(i)
EOF
	[ -s "$OUT/results.png" ] && echo "bench: wrote $RESULTS and $OUT/results.png" >&2 ||
		echo "bench: gnuplot failed, see $LOG" >&2
else
	echo "bench: gnuplot not installed, no chart (wrote $RESULTS)" >&2
fi

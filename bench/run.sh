#!/bin/bash
# bench/run.sh: run bench/micro natively, in umk mode=skas, mode=tt and
# mode=seccomp, under gVisor (runsc, ptrace platform) and proot where
# installed, and the bare references (ptrace_ref, sigsys_ref); print µs per
# operation (median of BENCH_REPS runs) with ratios to native and host
# context switches per guest syscall, each pinned to one host CPU and
# unpinned, and the ratio unpinned / pinned; then a compile workload
# (make -j2 of a generated C project in a Debian root with gcc) natively and
# in every runner, unpinned. Ends with the targets of issue 9, measured,
# never asserted. Writes $B/bench/results.txt, the raw samples
# $B/bench/samples.txt and a gnuplot chart $B/bench/results.png.
#
# Expects `make bench-progs` (and for the compile `make bench-compile`) to
# have built $B/bench (bench/bench.mk does both).
#
# Pinned runs use `taskset -c BENCH_CPU` (default the last CPU): the floor,
# with tracer and tracee on one CPU. Unpinned runs are what a user gets.
# Each round of a benchmark runs every runner, pinned and unpinned, back to
# back (and the references in the getppid rounds), so that the machine's
# load (it is shared) weighs on all cells of a row alike.
# BENCH_CPU=none drops the pinned runs. BENCH_COMPILE_REPS (default 3)
# repetitions of the compile; BENCH_COMPILE=no skips it.
# shellcheck disable=SC2015,SC2086 # runner commands split into words on purpose

set -u

B=${B:-build}
OUT=$B/bench
IMAGE=$OUT/bench.img
UMK=${UMK:-./umk}
REPS=${BENCH_REPS:-5}
CREPS=${BENCH_COMPILE_REPS:-3}
LOG=$OUT/log.txt
RESULTS=$OUT/results.txt
SAMPLES=$OUT/samples.txt
DAT=$OUT/results.dat
COMPILE_IMAGE=$OUT/compile.img
COMPILE_ROOT=$OUT/devroot

BENCHES="getppid write pipe fork exec read64m"
declare -A LABEL=(
	[getppid]="null syscall (getppid)"
	[write]="write 1 byte /dev/null"
	[pipe]="pipe round trip"
	[fork]="fork+exit+wait"
	[exec]="fork+exec+wait"
	[read64m]="read 64 MiB file"
)
# Iterations per run: native, and under interception (about 0.2 s per run
# in skas, pinned; gVisor takes several times that).
declare -A N_NATIVE=([getppid]=1000000 [write]=1000000 [pipe]=50000
	[fork]=2000 [exec]=500 [read64m]=20)
declare -A N_TRACED=([getppid]=20000 [write]=20000 [pipe]=2000
	[fork]=200 [exec]=50 [read64m]=3)
REF_ITERS=50000		# getppid calls of the bare references
# The bare references: program and mode.
REFS="ptrace_ref:sysemu ptrace_ref:syscall sigsys_ref:local sigsys_ref:futex"
CS_ITERS=20000		# getppid calls for the context-switch count

die() { echo "bench: $*" >&2; exit 1; }

[ -x "$UMK" ] || die "$UMK not built (make umk)"
[ -f "$IMAGE" ] && [ -x "$OUT/bin/ptrace_ref" ] && [ -x "$OUT/bin/sigsys_ref" ] ||
	die "bench programs not built (make bench-progs)"
# Measure a snapshot, so that a rebuild of ./umk meanwhile changes nothing.
cp "$UMK" "$OUT/umk" || die "cannot copy $UMK"
UMK=$OUT/umk
ROOT=$(cd "$OUT/root" && pwd)
HOSTBIN=$(cd "$OUT/bin" && pwd)

PLACES="pinned unpinned"
CPU=
if [ "${BENCH_CPU:-}" = none ] || ! command -v taskset >/dev/null; then
	PLACES=unpinned
else
	CPU=${BENCH_CPU:-$(($(nproc) - 1))}
fi
# place_cmd PLACE: the command prefix that puts a run there.
place_cmd() { [ "$1" = pinned ] && echo "taskset -c $CPU"; }

# Runners: name, then the command prefix that takes "NAME ITERS [PATH]".
RUNNERS="native skas tt seccomp"
UMK_MODES="skas tt seccomp"
declare -A NOTE=()
is_umk() { case " $UMK_MODES " in *" $1 "*) return 0 ;; esac; return 1; }
runner_cmd() {
	case $1 in
	native) echo "$ROOT/bench/micro" ;;
	skas|tt|seccomp) echo "$UMK ubd0=$IMAGE quiet mode=$1 init=/bench/micro --" ;;
	gvisor) echo "runsc --network=none --platform=ptrace do $ROOT/bench/micro" ;;
	proot) echo "proot -r / $ROOT/bench/micro" ;;
	esac
}
# Paths as each runner sees them: the guest image, or the host's tree.
bench_path() {
	local dir=$ROOT/bench
	is_umk "$1" && dir=/bench
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
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
# verdict VALUE LIMIT le|gt: "met" or "MISSED" (or "-" without a value).
verdict() {
	awk -v v="$1" -v l="$2" -v op="$3" 'BEGIN {
		if (v == "") print "-"
		else if ((op == "le" && v <= l) || (op == "gt" && v > l)) print "met"
		else print "MISSED" }'
}

# run_once PLACE RUNNER BENCH ITERS: ns per op of one run, or nothing.
run_once() {
	local cmd out
	cmd="$(place_cmd "$1") $(runner_cmd "$2") $3 $4 $(bench_path "$2" "$3")"
	echo "+ $cmd" >>"$LOG"
	out=$($cmd 2>>"$LOG" </dev/null)
	echo "$out (exit $?)" >>"$LOG"
	echo "$out" | grep "^$3 " | field ns_per_op
}

# keep KEY PLACE VALUES...: record the samples; print their median.
keep() {
	local key=$1 place=$2
	shift 2
	echo "$key $place $*" >>"$SAMPLES"
	printf "%s\n" "$@" | median
}

# us_of NS: microseconds, for the samples.
us_of() { awk -v v="$1" 'BEGIN { if (v != "") printf "%.4f", v / 1000 }'; }

# measure_row BENCH: REPS rounds of every runner in every place, back to
# back, so that all cells of a row see the same spells of the machine's
# load; the getppid row runs the bare references in the same rounds.
# Sets US[RUNNER,BENCH,PLACE], REF_US[MODE,PLACE] and REF_CS[MODE,PLACE]
# to medians.
measure_row() {
	local b=$1 n i r p v ref out
	local -A got=() cs=()
	for ((i = 0; i < REPS; i++)); do
		echo "bench: $b, round $((i + 1))/$REPS" >&2
		for r in $RUNNERS; do
			if [ "$r" = native ]; then n=${N_NATIVE[$b]}; else n=${N_TRACED[$b]}; fi
			for p in $PLACES; do
				v=$(us_of "$(run_once "$p" "$r" "$b" "$n")")
				[ -n "$v" ] && got[$r,$p]="${got[$r,$p]:-} $v"
			done
		done
		[ "$b" = getppid ] || continue
		for ref in $REFS; do
			for p in $PLACES; do
				out=$($(place_cmd "$p") "$HOSTBIN/${ref%:*}" "${ref#*:}" $REF_ITERS 2>>"$LOG")
				echo "$out" >>"$LOG"
				v=$(us_of "$(echo "$out" | field ns_per_op)")
				[ -n "$v" ] && got[$ref,$p]="${got[$ref,$p]:-} $v"
				cs[$ref,$p]="${cs[$ref,$p]:-} $(echo "$out" | field ctxsw_per_call)"
			done
		done
	done
	for p in $PLACES; do
		for r in $RUNNERS; do
			[ -n "${got[$r,$p]:-}" ] && US[$r,$b,$p]=$(keep "$r $b" "$p" ${got[$r,$p]})
		done
		[ "$b" = getppid ] || continue
		for ref in $REFS; do
			[ -n "${got[$ref,$p]:-}" ] || continue
			REF_US[${ref#*:},$p]=$(keep "${ref%:*} ${ref#*:}" "$p" ${got[$ref,$p]})
			REF_CS[${ref#*:},$p]=$(printf "%s\n" ${cs[$ref,$p]} | median)
		done
	done
}

# ctxsw_per_call RUNNER PLACE: host context switches per guest getppid, from
# the difference between a short and a long run (boot and exit cancel out).
ctxsw_per_call() {
	local cmd i a b
	cmd="$(place_cmd "$2") $HOSTBIN/ctxsw $(runner_cmd "$1")"
	for ((i = 0; i < 3; i++)); do
		a=$($cmd getppid 1000 2>>"$LOG" </dev/null | field ctxsw)
		b=$($cmd getppid $((1000 + CS_ITERS)) 2>>"$LOG" </dev/null | field ctxsw)
		[ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" -v n=$CS_ITERS 'BEGIN { printf "%.2f\n", (b - a) / n }'
	done | median
}

# The compile workload: one command per runner, run in the compile root.
compile_cmd() {
	local sh="/usr/bin/env -i PATH=/usr/bin:/bin /bin/sh /bench/compile-run.sh"
	case $1 in
	native) echo "chroot $COMPILE_ROOT $sh" ;;
	skas|tt|seccomp) echo "$UMK ubd0=$COMPILE_IMAGE ro quiet mode=$1 -- sh /bench/compile-run.sh" ;;
	gvisor) echo "runsc --network=none --platform=ptrace do -root $COMPILE_ROOT $sh" ;;
	proot) echo "proot -r $COMPILE_ROOT $sh" ;;
	esac
}

# compile_all: CREPS rounds of every runner, unpinned, each round starting
# one runner further along the list (sets COMPILE_S[RUNNER] to the median
# wall seconds, COMPILE_BAD[RUNNER] on a wrong checksum).
compile_all() {
	local i r cmd out ns sum order
	local -A got=()
	for ((i = 0; i < CREPS; i++)); do
		order=$(tr ' ' '\n' <<<"$RUNNERS" | awk -v k=$i '{ r[NR - 1] = $0 }
			END { for (j = 0; j < NR; j++) print r[(j + k) % NR] }')
		for r in $order; do
			echo "bench: compile, $r, round $((i + 1))/$CREPS" >&2
			cmd=$(compile_cmd "$r")
			echo "+ $cmd" >>"$LOG"
			out=$(PATH=$PATH:/usr/sbin:/sbin $cmd 2>>"$LOG" </dev/null)
			echo "$out (exit $?)" >>"$LOG"
			out=$(grep '^compile ' <<<"$out")
			ns=$(echo "$out" | field ns)
			sum=${out##* }
			[ -n "$ns" ] || continue
			CHECKSUM[$r]=$sum
			got[$r]="${got[$r]:-} $(awk -v v="$ns" 'BEGIN { printf "%.3f", v / 1e9 }')"
		done
	done
	for r in $RUNNERS; do
		[ -n "${got[$r]:-}" ] && COMPILE_S[$r]=$(keep "$r compile" unpinned ${got[$r]})
		[ -n "${CHECKSUM[$r]:-}" ] && [ "${CHECKSUM[$r]}" != "${CHECKSUM[native]:-}" ] &&
			COMPILE_BAD[$r]=1
	done
}

: >"$LOG"
: >"$SAMPLES"
declare -A US=() CS=() REF_US=() REF_CS=() COMPILE_S=() COMPILE_BAD=() CHECKSUM=()
START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: runners: $RUNNERS; $REPS runs each, ${PLACES// / and }${CPU:+ (pinned: CPU $CPU)}; log in $LOG" >&2
for b in $BENCHES; do
	measure_row "$b"
done
echo "bench: context switches per call" >&2
for r in $RUNNERS; do
	[ "$r" = native ] && continue
	for p in $PLACES; do CS[$r,$p]=$(ctxsw_per_call "$r" "$p"); done
done
if [ "${BENCH_COMPILE:-}" != no ] && [ -f "$COMPILE_IMAGE" ] && [ -d "$COMPILE_ROOT/bench/proj" ]; then
	compile_all
else
	NOTE[compile]="compile workload skipped (make bench-compile builds $COMPILE_IMAGE)"
fi
ELAPSED=$(($(date +%s) - START))

# table PLACE: the µs table of one place.
table() {
	local p=$1 r b v line
	printf "%-24s" benchmark
	for r in $RUNNERS; do printf "%17s" "$r"; done
	echo
	for b in $BENCHES; do
		printf "%-24s" "${LABEL[$b]}"
		for r in $RUNNERS; do
			v=${US[$r,$b,$p]:-}
			if [ -z "$v" ]; then
				line="failed"
			elif [ "$r" = native ]; then
				line=$(fmt "$v")
			else
				line="$(fmt "$v") ($(fmt "$(ratio "$v" "${US[native,$b,$p]:-}")")x)"
			fi
			printf "%17s" "$line"
		done
		echo
	done
	printf "%-24s" "host ctxsw / syscall"
	for r in $RUNNERS; do
		[ "$r" = native ] && v=0 || v=${CS[$r,$p]:-}
		printf "%17s" "${v:--}"
	done
	echo
}

# worst_unpinned RUNNER: the largest unpinned / pinned ratio and its bench.
worst_unpinned() {
	local b q best="" at=""
	for b in $BENCHES; do
		q=$(ratio "${US[$1,$b,unpinned]:-}" "${US[$1,$b,pinned]:-}")
		[ -n "$q" ] || continue
		if [ -z "$best" ] || awk -v a="$q" -v b="$best" 'BEGIN { exit !(a > b) }'; then
			best=$q at=$b
		fi
	done
	echo "$best $at"
}

# spread PLACE: median over all cells of max / min of the runs.
spread() {
	awk -v p="$1" '$3 == p && NF > 3 {
		lo = hi = $4
		for (i = 5; i <= NF; i++) { if ($i < lo) lo = $i; if ($i > hi) hi = $i }
		if (lo > 0) print hi / lo }' "$SAMPLES" | median | awk '{ printf "%.2f", $1 }'
}

report() {
	local r b p v q w
	echo "umk microbenchmarks: µs per operation, median of $REPS runs, (ratio to native)"
	echo "host: $(nproc) CPUs, $(uname -r); $(date -u +%F); bench/run.sh took ${ELAPSED} s;"
	echo "load average (1, 5, 15 min) at the start $LOAD_START, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
	for p in $PLACES; do
		echo
		if [ "$p" = pinned ]; then
			echo "pinned (every process on CPU $CPU, taskset):"
		else
			echo "unpinned (where the host scheduler puts them):"
		fi
		table "$p"
		echo "run-to-run spread (max/min of the $REPS runs, median over the cells): $(spread "$p")x"
	done
	if [ "$PLACES" != unpinned ]; then
		echo
		echo "unpinned / pinned:"
		printf "%-24s" benchmark
		for r in $RUNNERS; do printf "%17s" "$r"; done
		echo
		for b in $BENCHES; do
			printf "%-24s" "${LABEL[$b]}"
			for r in $RUNNERS; do
				q=$(ratio "${US[$r,$b,unpinned]:-}" "${US[$r,$b,pinned]:-}")
				printf "%17s" "${q:--}"
			done
			echo
		done
	fi
	echo
	echo "read 64 MiB throughput (MiB/s, ${PLACES%% *}):$(for r in $RUNNERS; do
		v=${US[$r,read64m,${PLACES%% *}]:-}
		[ -n "$v" ] && awk -v r="$r" -v v="$v" 'BEGIN { printf " %s %.0f", r, 64 / (v / 1e6) }'
	done)"
	echo
	echo "compile: make -j2 of $(ls "$COMPILE_ROOT"/bench/proj/unit*.c 2>/dev/null | wc -l) generated C units and main.c (bench/genproj.sh) in a Debian"
	echo "bookworm root with gcc 12 ($COMPILE_IMAGE), unpinned, wall seconds, median of $CREPS"
	echo "(native: chroot into the same tree, extracted from the image):"
	for r in $RUNNERS; do
		v=${COMPILE_S[$r]:-}
		if [ -z "$v" ]; then
			printf "  %-10s %s\n" "$r" "failed or skipped"
		else
			printf "  %-10s %7.2f s  (%sx native)%s\n" "$r" "$v" \
				"$(ratio "$v" "${COMPILE_S[native]:-}")" \
				"${COMPILE_BAD[$r]:+  WRONG checksum ${CHECKSUM[$r]}}"
		fi
	done
	echo
	echo "bare references (a tight getppid loop answered by the least code possible):"
	for p in $PLACES; do
		printf "  %s:\n" "$p"
		printf "    %-44s %8s µs  %s ctxsw/call\n" \
			"PTRACE_SYSEMU, 1 stop (skas floor)" "$(fmt "${REF_US[sysemu,$p]}")" "${REF_CS[sysemu,$p]}" \
			"PTRACE_SYSCALL + nulling (tt floor)" "$(fmt "${REF_US[syscall,$p]}")" "${REF_CS[syscall,$p]}" \
			"SIGSYS handler answering itself" "$(fmt "${REF_US[local,$p]}")" "${REF_CS[local,$p]}" \
			"SIGSYS + futex round trip (seccomp floor)" "$(fmt "${REF_US[futex,$p]}")" "${REF_CS[futex,$p]}"
	done
	echo
	echo "targets (measured, not asserted):"
	for p in $PLACES; do
		v=$(ratio "${US[seccomp,getppid,$p]:-}" "${US[skas,getppid,$p]:-}")
		printf "  %-44s %6sx  (<= 0.35)  %s\n" "seccomp / skas null syscall, $p" "${v:--}" "$(verdict "$v" 0.35 le)"
		v=$(ratio "${US[seccomp,getppid,$p]:-}" "${REF_US[futex,$p]:-}")
		printf "  %-44s %6sx  (<= 1.5)   %s\n" "seccomp / SIGSYS+futex floor, $p" "${v:--}" "$(verdict "$v" 1.5 le)"
	done
	for p in $PLACES; do
		v=$(ratio "${US[skas,getppid,$p]:-}" "${REF_US[sysemu,$p]:-}")
		printf "  %-44s %6sx  (<= 1.15)  %s\n" "skas / PTRACE_SYSEMU floor, $p" "${v:--}" "$(verdict "$v" 1.15 le)"
		v=$(ratio "${US[tt,getppid,$p]:-}" "${REF_US[syscall,$p]:-}")
		printf "  %-44s %6sx  (<= 1.15)  %s\n" "tt / PTRACE_SYSCALL floor, $p" "${v:--}" "$(verdict "$v" 1.15 le)"
		v=$(ratio "${US[tt,getppid,$p]:-}" "${US[skas,getppid,$p]:-}")
		printf "  %-44s %6sx  (about 2)\n" "tt / skas null syscall, $p" "${v:--}"
	done
	if [ "$PLACES" != unpinned ]; then
		for r in $RUNNERS; do
			[ "$r" = native ] && continue
			w=$(worst_unpinned "$r")
			v=${w%% *}
			printf "  %-44s %6sx  (<= 1.3)   %s\n" "$r unpinned / pinned, worst (${w#* })" \
				"${v:--}" "$(is_umk "$r" && verdict "$v" 1.3 le || echo "(peer)")"
		done
	fi
	v=$(ratio "${COMPILE_S[seccomp]:-}" "${COMPILE_S[native]:-}")
	printf "  %-44s %6sx  (<= 1.3)   %s\n" "compile, seccomp / native" "${v:--}" "$(verdict "$v" 1.3 le)"
	v=$(ratio "${COMPILE_S[tt]:-}" "${COMPILE_S[skas]:-}")
	printf "  %-44s %6sx  (teaching claim: 2)\n" "compile, tt / skas" "${v:--}"
	if [[ " $RUNNERS " == *" gvisor "* ]]; then
		for p in $PLACES; do
			for b in $BENCHES; do
				v=$(ratio "${US[gvisor,$b,$p]:-}" "${US[seccomp,$b,$p]:-}")
				printf "  %-44s %6sx  (> 1)      %s\n" "gVisor / seccomp, $b, $p" "${v:--}" "$(verdict "$v" 1 gt)"
			done
		done
		v=$(ratio "${COMPILE_S[gvisor]:-}" "${COMPILE_S[seccomp]:-}")
		printf "  %-44s %6sx  (> 1)      %s\n" "gVisor / seccomp, compile, unpinned" "${v:--}" "$(verdict "$v" 1 gt)"
	else
		echo "  gVisor slower than umk seccomp: ${NOTE[gvisor]:-gVisor failed (see log)}"
	fi
	for r in "${!NOTE[@]}"; do echo "note: ${NOTE[$r]}"; done
}
report | tee "$RESULTS"

# Chart data: one row per benchmark, one column per runner and place.
{
	printf "benchmark"
	for p in $PLACES; do for r in $RUNNERS; do printf " %s" "$r"; done; done
	echo
	for b in $BENCHES; do
		printf "\"%s\"" "${LABEL[$b]}"
		for p in $PLACES; do
			for r in $RUNNERS; do printf " %s" "${US[$r,$b,$p]:-NaN}"; done
		done
		echo
	done
	printf "\"compile make -j2 (s)\""
	for p in $PLACES; do
		for r in $RUNNERS; do
			[ "$p" = unpinned ] && printf " %s" "${COMPILE_S[$r]:-NaN}" || printf " NaN"
		done
	done
	echo
} >"$DAT"
if ! command -v gnuplot >/dev/null && [ -x scripts/setup.sh ]; then
	scripts/setup.sh gnuplot-nox >>"$LOG" 2>&1
fi
if command -v gnuplot >/dev/null; then
	nr=$(wc -w <<<"$RUNNERS")
	np=$(wc -w <<<"$PLACES")
	# One panel per place (µs per operation), then the compile (seconds).
	{
		cat <<EOF
set terminal pngcairo size 1200,$((380 * np + 300)) font "sans,10"
set output "$OUT/results.png"
set multiplot layout $((np + 1)),1 title "umk microbenchmarks: median of $REPS runs, log scale"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set grid ytics
set key top left
set xtics noenhanced font ",9"
set xrange [-0.6:5.6]
set ylabel "µs per operation"
EOF
		i=0
		for p in $PLACES; do
			echo "set title \"$p\""
			echo "plot for [i=$((2 + i * nr)):$((1 + (i + 1) * nr))] \"$DAT\" every ::0::5 using i:xtic(1) title columnheader(i)"
			i=$((i + 1))
		done
		cat <<EOF
set title "compile: make -j2 of the generated project, unpinned, wall seconds"
set ylabel "seconds"
unset logscale y
set yrange [0:*]
set xrange [-0.6:0.6]
plot for [i=$((2 + (np - 1) * nr)):$((1 + np * nr))] "$DAT" every ::6::6 using i:xtic(1) title columnheader(i)
unset multiplot
EOF
	} | gnuplot >>"$LOG" 2>&1
	[ -s "$OUT/results.png" ] && echo "bench: wrote $RESULTS and $OUT/results.png" >&2 ||
		echo "bench: gnuplot failed, see $LOG" >&2
else
	echo "bench: gnuplot not installed, no chart (wrote $RESULTS)" >&2
fi

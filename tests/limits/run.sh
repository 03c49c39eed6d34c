#!/usr/bin/env bash
# tests/limits/run.sh: hostile guests against Linux's limits, measured from
# the host, in every mode of UMK_MODES. Prints TAP lines and "1..N"; exit
# status 0 iff all passed. make check runs it as unit/limits_suite
# (tests/unit/limits.mk). With mem=64M (threads-max 512):
#   bomb    a fork bomb as uid 1000 stops at its RLIMIT_NPROC (threads-max/2)
#           and one as root at threads-max; the host never sees more guest
#           host threads than threads-max; init runs commands after.
#   hog     a 64 GiB mapping is ENOMEM; touching 256 MiB gets the hog
#           OOM-killed (SIGKILL, Linux's dmesg line); what umk and its
#           guests hold on the host stays under mem= plus a fixed overhead.
#   shm     40 MiB of SysV shm left unattached count against mem= (and as
#           Shmem): a hog after them is OOM-killed before it has 48 MiB.
#   sparse  a 2 GiB sparse tmpfs file mapped and stored into at one page
#           costs the host almost nothing (its memfds' blocks, the total).
#   core    a core file umk wrote opens in the host's gdb with the binary,
#           with main() in the backtrace.
# Environment: UMK (./umk), UMK_MODES (the modes umk --help lists), B (build).
set -uo pipefail

. "$(dirname "$0")/../lib.sh"
lib_init limits
IMG=$B/test-rootfs.img
PROGS=$B/tests/limits
MEM_MB=64
THREADS_MAX=512			# 64 MiB / (8 * 16 KiB), as Linux
OVERHEAD_MB=64			# umk itself: its heap, block cache, stubs
pids=()
at_exit 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done'


if [ ! -x "$UMK" ] || [ ! -f "$IMG" ]; then
	notok "limits: umk or the test image is not built"
	tap_finish
	exit 1
fi

# The image: the test image plus the programs in /limits.
lim_img=$S/limits.img
cp --sparse=always "$IMG" "$lim_img"
debugfs -w -R "mkdir /limits" "$lim_img" >/dev/null 2>&1
for bin in "$PROGS"/*; do
	[ -x "$bin" ] || continue
	debugfs -w -R "write $bin /limits/$(basename "$bin")" "$lim_img" >/dev/null 2>&1
	debugfs -w -R "sif /limits/$(basename "$bin") mode 0100755" "$lim_img" >/dev/null 2>&1
done

# ---- the host's view of one umk ----

# The guest host processes: every one is umk's child (its own helpers,
# such as the network helper umk-net, are not guests).
guest_pids() {
	local p files=()
	for p in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		files+=(/proc/"$p"/comm)
	done
	[ ${#files[@]} -gt 0 ] || return 0
	grep -H '' "${files[@]}" 2>/dev/null |
		awk -F: '$2 != "umk-net" { split($1, a, "/"); print a[3] }'
}

# Host threads of the guests.
guest_threads() {
	local p files=()
	for p in $(guest_pids "$1"); do files+=(/proc/"$p"/task); done
	[ ${#files[@]} -gt 0 ] || { echo 0; return; }
	ls "${files[@]}" 2>/dev/null | grep -c '^[0-9]'
}

# KiB the host holds for umk and its guests: umk's resident memory, its
# memfds' allocated blocks (each once), the guests' proportional share of
# anonymous and shared memory. Pages of a memfd a guest maps count twice:
# an upper bound.
host_kb() {
	local u=$1 p files=() rss pss
	for p in $(guest_pids "$u"); do files+=(/proc/"$p"/smaps_rollup); done
	rss=$(awk '/^VmRSS:/ { s += $2 } END { print s + 0 }' /proc/"$u"/status 2>/dev/null)
	pss=$(cat "${files[@]}" /dev/null 2>/dev/null |
		awk '/^Pss_(Anon|Shmem):/ { s += $2 } END { print s + 0 }')
	echo $(( ${rss:-0} + $(memfd_kb "$u") + ${pss:-0} ))
}

# memfd_kb PID [MIN_BYTES]: KiB allocated in umk's memfds (each once), of
# those at least MIN_BYTES long only when given.
memfd_kb() {
	local u=$1 min=${2:-0} f t=0 ino blocks size
	declare -A seen=()
	for f in /proc/"$u"/fd/*; do
		case $(readlink "$f" 2>/dev/null) in
		/memfd:*) ;;
		*) continue ;;
		esac
		read -r ino blocks size < <(stat -L -c '%i %b %s' "$f" 2>/dev/null) ||
			continue
		[ -n "${seen[$ino]:-}" ] && continue
		seen[$ino]=1
		[ "$size" -ge "$min" ] && t=$((t + blocks / 2))
	done
	echo "$t"
}

# run_umk TAG SECONDS ARGS...: boot umk on a copy of the image, stdin from
# $STDIN (default /dev/null), sampling the host meanwhile: $max_threads
# and $max_kb. Output in $S/TAG.out, status in $rc.
run_umk() {
	local tag=$1 secs=$2 img=$S/$1.img u start
	shift 2
	cp --sparse=always "$lim_img" "$img"
	"$UMK" "ubd0=$img" "mem=${MEM_MB}M" "$@" < "${STDIN:-/dev/null}" \
		> "$S/$tag.raw" 2>&1 &
	u=$!
	pids+=("$u")
	max_threads=0
	max_procs=0
	max_kb=0
	start=$SECONDS
	while kill -0 "$u" 2>/dev/null; do
		v=$(guest_threads "$u")
		[ "$v" -gt "$max_threads" ] && max_threads=$v
		v=$(guest_pids "$u" | wc -l)
		[ "$v" -gt "$max_procs" ] && max_procs=$v
		if [ -z "${NO_KB:-}" ]; then
			v=$(host_kb "$u")
			[ "$v" -gt "$max_kb" ] && max_kb=$v
		fi
		if [ $((SECONDS - start)) -ge "$secs" ]; then
			kill -9 "$u"
			break
		fi
		sleep 0.02
	done
	wait "$u"
	rc=$?
	tr -d '\r' < "$S/$tag.raw" > "$S/$tag.out"
	rm -f "$img"
}

# ---- the tests ----

bomb() {
	local mode=$1 out
	NO_KB=1 run_umk "$mode-bomb" 120 "mode=$mode" quiet rw init=/bin/sh -- -c \
		'/limits/bomb 1000; echo alive; /limits/bomb 0; echo alive2 $(cat /proc/sys/kernel/threads-max)'
	out=$S/$mode-bomb.out
	[ "$rc" -eq 0 ]
	check $? "$mode/bomb: umk ends with init (status $rc)" tail -n 5 "$out"
	grep -Eq "^bomb uid 1000: [0-9]+ tasks at the end, threads-max $THREADS_MAX, root's fork ok$" "$out" &&
		grep -qx 'alive' "$out"
	check $? "$mode/bomb: uid 1000 stops at its RLIMIT_NPROC, root can still fork, init runs commands" \
		cat "$out"
	grep -Eq "^bomb uid 0: [0-9]+ tasks at the end, threads-max $THREADS_MAX, root's fork EAGAIN$" "$out" &&
		grep -qx "alive2 $THREADS_MAX" "$out" &&
		[ "$(sed -n 's/^bomb uid 0: \([0-9]*\) tasks.*/\1/p' "$out")" -le "$THREADS_MAX" ]
	check $? "$mode/bomb: root's bomb stops at threads-max ($THREADS_MAX), EAGAIN, init runs commands" \
		cat "$out"
	[ "$max_procs" -gt 100 ] && [ "$max_procs" -le "$THREADS_MAX" ]
	check $? "$mode/bomb: the host saw at most threads-max guest processes (max $max_procs)"
	# A mode may keep one host thread of its own per process (seccomp's
	# service thread): at most that many more.
	[ "$max_threads" -le $((2 * THREADS_MAX)) ]
	check $? "$mode/bomb: and at most one host thread per guest task, plus one per process (max $max_threads)"
}

hog() {
	local mode=$1 limit=$(((MEM_MB + OVERHEAD_MB) * 1024)) hold=48 u line
	local img=$S/$1-hog.img fifo=$S/$1-hog.fifo out=$S/$1-hog.out ready=0 kb=0 v
	cp --sparse=always "$lim_img" "$img"
	mkfifo "$fifo"
	coproc HOG { exec "$UMK" "ubd0=$img" "mem=${MEM_MB}M" "mode=$mode" \
		quiet rw init=/bin/sh -- -c \
		"/limits/hog 256 $hold; echo hog=\$?; dmesg | grep -c 'Out of memory: Killed process [0-9]* (hog)'" \
		< "$fifo" 2>&1; }
	u=$HOG_PID
	pids+=("$u")
	exec 7> "$fifo"
	while IFS= read -r -t 60 -u "${HOG[0]}" line; do
		echo "$line" >> "$out"
		case $line in "hog: holding"*) ready=1; break ;; esac
	done
	[ "$ready" -eq 1 ] && kb=$(host_kb "$u")
	max_kb=$kb
	exec 8<&"${HOG[0]}"	# the rest waits in the pipe: a few lines
	echo go >&7
	exec 7>&-
	for _ in $(seq 1 3000); do
		kill -0 "$u" 2>/dev/null || break
		v=$(host_kb "$u")
		[ "${v:-0}" -gt "$max_kb" ] && max_kb=$v
		sleep 0.01
	done
	cat <&8 >> "$out"
	exec 8<&-
	wait "$u"
	rm -f "$img"
	tr -d '\r' < "$out" > "$out.txt"
	out=$out.txt
	grep -qx 'hog: one 64 GiB mapping: ENOMEM' "$out"
	check $? "$mode/hog: one mapping larger than memory is ENOMEM" cat "$out"
	grep -qx 'hog=137' "$out" && grep -qx '[12]' "$out" &&
		grep -q 'Out of memory: Killed process [0-9]* (hog) total-vm:' "$out"
	check $? "$mode/hog: touching 256 MiB with mem=${MEM_MB}M gets it OOM-killed (SIGKILL, dmesg)" \
		cat "$out"
	[ "$kb" -ge $((hold * 1024)) ] && [ "$kb" -le "$limit" ]
	check $? "$mode/hog: holding ${hold} MiB, umk and its guests hold that on the host, under mem= + ${OVERHEAD_MB} MiB ($((kb / 1024)) MiB)"
	[ "$max_kb" -le "$limit" ]
	check $? "$mode/hog: umk and its guests held at most mem= + ${OVERHEAD_MB} MiB on the host while it grew (max $((max_kb / 1024)) MiB)"
}

# SysV shared memory counts against mem= whether attached or not, as
# Linux's Shmem: with 40 MiB left in segments nobody has attached, a hog
# is OOM-killed before it holds 48 MiB more (without the charge it got
# there, and the host held both). /proc/meminfo's Shmem shows them.
shm() {
	local mode=$1 out v
	NO_KB=1 run_umk "$mode-shm" 120 "mode=$mode" quiet rw init=/bin/sh -- -c \
		"mount -t proc proc /proc; /limits/shm_hold 40; echo shm_hold=\$?; grep Shmem: /proc/meminfo; /limits/hog 256 48 < /dev/null; echo hog=\$?; dmesg | grep -c 'Out of memory: Killed process [0-9]* (hog)'"
	out=$S/$mode-shm.out
	grep -qx 'shm_hold: 40 MiB in segments' "$out" && grep -qx 'shm_hold=0' "$out"
	check $? "$mode/shm: 40 MiB of SysV segments touched and left unattached" cat "$out"
	v=$(awk '/^Shmem:/ { print $2 }' "$out")
	[ "${v:-0}" -ge $((40 * 1024)) ]
	check $? "$mode/shm: /proc/meminfo counts them as Shmem" cat "$out"
	grep -qx 'hog=137' "$out" && grep -qx '[12]' "$out" && ! grep -q '^hog: holding' "$out"
	check $? "$mode/shm: a hog after them is OOM-killed before it holds 48 MiB (mem=${MEM_MB}M)" cat "$out"
}

sparse() {
	local mode=$1 fifo=$S/$1-sparse.fifo u line ready=0 kb mkb out
	local img=$S/$mode-sparse.img
	cp --sparse=always "$lim_img" "$img"
	mkfifo "$fifo"
	coproc SPARSE { exec "$UMK" "ubd0=$img" "mem=${MEM_MB}M" "mode=$mode" \
		quiet rw init=/bin/sh -- -c \
		'mount -t tmpfs -o size=4g none /mnt && /limits/sparse_hold' \
		< "$fifo" 2>&1; }
	u=$SPARSE_PID
	pids+=("$u")
	exec 7> "$fifo"
	out=$S/$mode-sparse.out
	while IFS= read -r -t 60 -u "${SPARSE[0]}" line; do
		echo "$line" >> "$out"
		case $line in mapped*) ready=1; break ;; esac
	done
	kb=$(host_kb "$u")
	mkb=$(memfd_kb "$u" $((1 << 30)))	# the 2 GiB file's, not the
						# programs' page caches
	echo go >&7
	exec 7>&-
	cat <&"${SPARSE[0]}" >> "$out"
	wait "$u"
	rm -f "$img"
	[ "$ready" -eq 1 ] && grep -q '^unmapped' "$out"
	check $? "$mode/sparse: a 2 GiB sparse tmpfs file maps, takes a store, unmaps" cat "$out"
	[ "$ready" -eq 1 ] && [ "$mkb" -lt 1024 ] && [ "$kb" -lt $((MEM_MB * 1024)) ]
	check $? "$mode/sparse: the mapping costs the host no more than its page (memfds ${mkb} KiB, all ${kb} KiB)"
}

core() {
	local mode=$1 img=$S/$1-core.img bt
	cp --sparse=always "$lim_img" "$img"
	timeout -k 5 60 "$UMK" "ubd0=$img" "mode=$mode" quiet rw init=/bin/sh -- -c \
		'cd /root; ulimit -c unlimited; /tests/bin/segv; sync' > "$S/$mode-core.out" 2>&1
	rm -f "$S/$mode-core"
	debugfs -R "dump /root/core $S/$mode-core" "$img" > /dev/null 2>&1
	rm -f "$img"
	if ! command -v gdb > /dev/null; then
		notok "$mode/core: gdb is not installed (make setup)"
		return
	fi
	bt=$(gdb -nx -batch -ex bt -ex 'info registers rip' "$B/tests/guest/segv" \
		"$S/$mode-core" 2>&1)
	grep -q '^#0  main () at tests/guest/segv.c' <<< "$bt" &&
		grep -q '^rip .*<main' <<< "$bt"
	check $? "$mode/core: gdb opens umk's core file with the binary: main() in the backtrace, rip in main" \
		echo "$bt"
}

for mode in $MODES; do
	bomb "$mode"
	hog "$mode"
	shm "$mode"
	sparse "$mode"
	core "$mode"
done
tap_finish

#!/bin/bash
# bench/ubd.sh: sequential throughput of a 256 MiB file on ubd, on a raw
# image and on a COW overlay, as ratios to the host reading and writing the
# same image file directly. Writes $B/bench/ubd.txt.
#
#   host read       the 256 MiB of /data's blocks read from the image file
#                   with 1 MiB preads, the host's page cache of it dropped
#   umk read        the guest reads /data (1 MiB reads), the host's page
#                   cache of the image dropped first; then reads it again:
#                   the re-read comes from umk's block cache (mem=1G: the
#                   cache holds half of mem=, enough for the file)
#   host write      256 MiB written into the image file's free end + fsync
#   umk write       the guest writes a new 256 MiB file + fsync
# COW runs use a fresh overlay made by umk over the same image.
# Each figure is the median of BENCH_REPS (5) runs, interleaved.
#
# Needs gcc (static), mke2fs, debugfs. Environment: UMK (./umk), B (build),
# BENCH_REPS.
set -u

B=${B:-build}
OUT=$B/bench/ubd
UMK=${UMK:-./umk}
REPS=${BENCH_REPS:-5}
MIB=256
RESULTS=$B/bench/ubd.txt
LOG=$OUT/log.txt

die() { echo "bench/ubd: $*" >&2; exit 1; }
[ -x "$UMK" ] || die "$UMK not built (make umk)"
mkdir -p "$OUT/root/dev" || die "cannot create $OUT"
RW=$OUT/root/ubd_rw
if [ ! -x "$RW" ] || [ bench/ubd_rw.c -nt "$RW" ]; then
	gcc -std=gnu11 -O2 -static -Wall -o "$RW" bench/ubd_rw.c || die "cannot build ubd_rw"
fi
if [ ! -f "$OUT/root/data" ]; then
	head -c ${MIB}M /dev/urandom >"$OUT/root/data.tmp" && mv "$OUT/root/data.tmp" "$OUT/root/data"
fi
IMG=$OUT/ubd.img
if [ ! -f "$IMG" ] || [ "$RW" -nt "$IMG" ] || [ "$OUT/root/data" -nt "$IMG" ]; then
	echo "bench/ubd: making $IMG (768 MiB, fully allocated)" >&2
	rm -f "$IMG"
	# No holes: the host baseline must read real blocks, as the guest does.
	head -c 768M /dev/zero >"$IMG.tmp" &&
		mke2fs -q -F -E nodiscard -t ext4 -d "$OUT/root" "$IMG.tmp" &&
		mv "$IMG.tmp" "$IMG" || die "cannot make the image"
fi
cp "$UMK" "$OUT/umk" || die "cannot copy $UMK"
UMK=$OUT/umk
COW=$OUT/ubd.cow

# /data's first block, and that its 256 MiB are contiguous (host read).
first=$(debugfs -R "bmap /data 0" "$IMG" 2>/dev/null)
last=$(debugfs -R "bmap /data $((MIB * 256 - 1))" "$IMG" 2>/dev/null)
[ -n "$first" ] || die "cannot find /data in $IMG"
DATA_OFF_MIB=$((first * 4096 / 1048576))
[ $((last - first)) -lt $((MIB * 256 + 4096)) ] ||
	echo "bench/ubd: note: /data is not contiguous in the image" >&2
FREE_OFF_MIB=$((768 - MIB))	# the image's end, free in a fresh ext4

mibps() { sed -n "s/^$1.*mibps=\([0-9.]*\).*/\1/p"; }
run() { echo "+ $*" >>"$LOG"; "$@" 2>>"$LOG" </dev/null | tee -a "$LOG"; }
declare -A V=()
add() { V[$1]="${V[$1]:-} $2"; }

: >"$LOG"
echo "bench/ubd: $REPS runs; log in $LOG" >&2
# cold FILE...: nothing of FILE in the host's page cache, no write-back
# of earlier runs still going on.
cold() { sync; sleep 0.5; "$RW" drop "$@"; }
for ((i = 1; i <= REPS; i++)); do
	echo "bench/ubd: run $i" >&2
	cold "$IMG"
	add host_read "$(run "$RW" read "$IMG" 1 $DATA_OFF_MIB $MIB | mibps read)"

	cold "$IMG"
	out=$(run "$UMK" ubd0="$IMG" mem=1G quiet ro init=/ubd_rw -- read /data 2)
	add raw_read "$(echo "$out" | mibps 'read pass=1')"
	add raw_reread "$(echo "$out" | mibps 'read pass=2')"

	rm -f "$COW"
	cold "$IMG"
	out=$(run "$UMK" ubd0="$COW,$IMG" mem=1G quiet ro init=/ubd_rw -- read /data 2)
	add cow_read "$(echo "$out" | mibps 'read pass=1')"
	add cow_reread "$(echo "$out" | mibps 'read pass=2')"

	sync
	add host_write "$(run "$RW" write "$IMG" $MIB $FREE_OFF_MIB | mibps write)"
	sync
	add raw_write "$(run "$UMK" ubd0="$IMG" mem=1G quiet rw init=/ubd_rw -- write /wfile $MIB | mibps write)"
	rm -f "$COW"
	sync
	add cow_write "$(run "$UMK" ubd0="$COW,$IMG" mem=1G quiet rw init=/ubd_rw -- write /wfile $MIB | mibps write)"
	rm -f "$COW"	# its blocks are freed now, not during the next read
	sync
done
rm -f "$COW"

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
declare -A M=()
for k in "${!V[@]}"; do M[$k]=$(echo "${V[$k]}" | median); done
ratio() { awk -v a="${M[$1]:-}" -v b="${M[$2]:-}" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }
cell() { printf "%8s MiB/s %6sx" "${M[$1]:--}" "$(ratio "$1" "$2")"; }
verdict() { awk -v r="$(ratio "$1" "$2")" -v t="$3" 'BEGIN { if (r == "-") print "no result"; else if (r + 0 >= t) print "met"; else print "NOT met" }'; }

{
	echo "ubd sequential throughput: a ${MIB} MiB file, 1 MiB requests, median of $REPS runs"
	echo "host: $(nproc) CPUs, $(uname -r); $(date -u +%F); ratios to the host's own I/O on the image file"
	echo
	printf "%-32s %14s %26s %26s\n" "" "host" "umk raw image" "umk COW overlay"
	printf "%-32s %8s MiB/s %s %s\n" "read, cold host cache" "${M[host_read]:--}" \
		"$(cell raw_read host_read)" "$(cell cow_read host_read)"
	printf "%-32s %14s %s %s\n" "re-read, umk's block cache" "-" \
		"$(cell raw_reread host_read)" "$(cell cow_reread host_read)"
	printf "%-32s %8s MiB/s %s %s\n" "write + fsync" "${M[host_write]:--}" \
		"$(cell raw_write host_write)" "$(cell cow_write host_write)"
	echo
	echo "targets:"
	echo "  raw read >= 0.5 x host read:            $(ratio raw_read host_read)x  $(verdict raw_read host_read 0.5)"
	echo "  COW read >= 0.5 x host read:            $(ratio cow_read host_read)x  $(verdict cow_read host_read 0.5)"
	echo "  cached re-read > host's first read:     $(ratio raw_reread host_read)x  $(verdict raw_reread host_read 1.0001)"
	echo
	echo "all runs (MiB/s):"
	for k in host_read raw_read raw_reread cow_read cow_reread host_write raw_write cow_write; do
		printf "  %-12s%s\n" "$k" "${V[$k]:-}"
	done
} | tee "$RESULTS"

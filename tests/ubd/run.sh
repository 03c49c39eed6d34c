#!/usr/bin/env bash
# tests/ubd/run.sh: the ubd driver's suite, against umk and UML's own tools.
# Prints TAP lines "ok N - ..." / "not ok N - ..." with "# ..." diagnostics,
# then "1..N" and "N passed, N failed" (tests/lib.sh); exit status 0 iff
# everything passed. make check runs it as unit/ubd_suite (tests/unit/ubd.mk).
#
#   command line    UML's ubd syntax; out-of-range devices and bad flags
#                   are exit status 2 with one line
#   devices         ubd0, ubd1 and ubdp at once: /proc/partitions, the
#                   block ioctls, mount/umount of /dev/ubdb, raw I/O and
#                   discard on /dev/ubdp
#   cache           mem=16M (an 8 MiB cache) under a 24 MiB file and three
#                   writers rewriting a device with fsync: data stays right
#   COW             a COW made by uml_mkcow boots and takes writes; a COW
#                   umk makes has uml_mkcow's header and is merged by
#                   uml_moo into an image e2fsck finds clean; the broken
#                   64-bit v3 header is read; the backing file never changes
#   bad input       truncated header, wrong magic, backing file of another
#                   size or mtime or identity, read-only image without r,
#                   r without an existing COW: a clear error, no file changed
#   locks           a second umk on a used image is refused; c shares it;
#                   two overlays share one backing file
#   durability      s writes reach the file without fsync; the fsync crash
#                   test: SIGKILL at a random moment, UBD_CRASH_ROUNDS times,
#                   e2fsck -fp (preen, no questions) leaves a clean image
#                   holding every file
#                   whose fsync had returned
#
# Environment: UMK (./umk), B (build), UBD_CRASH_ROUNDS (3).
set -uo pipefail

. "$(dirname "$0")/../lib.sh"
lib_init ubd
IMG=$B/test-rootfs.img
WRITER=$B/tests/ubd/fsync_writer
ROUNDS=${UBD_CRASH_ROUNDS:-3}
bg_pids=()
at_exit 'for p in "${bg_pids[@]}"; do kill -9 "$p" 2>/dev/null; done'

# umk_run TAG ARGS...: umk with ARGS, stdin /dev/null; $rc, $S/TAG.out/.err.
umk_run() {
	local tag=$1
	shift
	umk_boot "$tag" "" "$@"
}
# A guest shell running CMD as init on the given devices.
guest() {
	local tag=$1 cmd=$2
	shift 2
	umk_run "$tag" "$@" quiet rw init=/bin/sh -- -c "$cmd"
}
# finish: the plan and the summary; exit status 0 iff all passed.
finish() {
	tap_finish
	exit
}

if [ ! -x "$UMK" ] || [ ! -f "$IMG" ] || [ ! -x "$WRITER" ]; then
	notok "ubd suite: needs $UMK, $IMG and $WRITER (make umk test-build)"
	finish
fi
if ! command -v uml_mkcow >/dev/null || ! command -v uml_moo >/dev/null; then
	notok "ubd suite: uml_mkcow and uml_moo missing (make setup installs uml-utilities)"
	finish
fi

# The pristine backing image: the test image plus the crash writer.
BASE=$S/base.img
cp --sparse=always "$IMG" "$BASE"
debugfs -w -R "write $WRITER /fsync_writer" "$BASE" >/dev/null 2>&1
debugfs -w -R "sif /fsync_writer mode 0100755" "$BASE" >/dev/null 2>&1
touch -d '2020-01-01 00:00:00' "$BASE"
BASE_SUM=$(sha "$BASE")
copy() { cp --sparse=always "$BASE" "$S/$1"; echo "$S/$1"; }

# ---------------------------------------------------------------------------
# Command line.

cmdline_error() {
	local arg=$1 pattern=$2
	umk_run cmd "$arg"
	[ $rc -eq 2 ] && [ "$(wc -l <"$S/cmd.err")" -eq 1 ] &&
		grep -q "$pattern" "$S/cmd.err" && [ ! -s "$S/cmd.out" ]
	check $? "command line: $arg is exit status 2, one line ($pattern)" boot_diag cmd
}
cmdline_error "ubd16=$BASE" "out of range"
cmdline_error "ubdq=$BASE" "out of range"
cmdline_error "ubd0x=$BASE" "unknown ubd flag"
cmdline_error "ubd0d=$S/x.cow,$BASE" "d flag"
cmdline_error "ubd0=" "no file"
[ ! -e "$S/x.cow" ]
check $? "command line: a refused COW option creates nothing"

# ---------------------------------------------------------------------------
# Several devices, block ioctls, mount, raw I/O.

root=$(copy multi.img)
second=$S/second.img
raw=$S/raw.img
mke2fs -q -t ext4 -F "$second" 16M >/dev/null 2>&1
truncate -s 1M "$raw"
guest multi '
mount -t proc proc /proc
grep -c " ubd" /proc/partitions
grep " ubdp$" /proc/partitions
ls /dev/ubda /dev/ubdb /dev/ubdp
blockdev --getsize64 /dev/ubdb
blockdev --getss /dev/ubdb
blockdev --getsize64 /dev/ubdp
blockdev --flushbufs /dev/ubdb && echo flushbufs ok
mount -t ext4 /dev/ubdb /mnt && echo hello-ubdb > /mnt/hello && umount /mnt && echo umount ok
mount -t ext4 /dev/ubdb /mnt && cat /mnt/hello && umount /mnt
printf pattern-at-8192 | dd of=/dev/ubdp bs=512 seek=16 conv=notrunc 2>/dev/null
sync
dd if=/dev/ubdp bs=512 skip=16 count=1 2>/dev/null | head -c 15; echo
blkdiscard -o 4096 -l 8192 /dev/ubdp && echo discard ok
dd if=/dev/ubdp bs=512 skip=16 count=1 2>/dev/null | tr -d "\000" | wc -c
' "ubd0=$root" "ubd1=$second" "ubdp=$raw"
cat >"$S/multi.expected" <<'EOF'
3
  98      240       1024 ubdp
/dev/ubda
/dev/ubdb
/dev/ubdp
16777216
512
1048576
flushbufs ok
umount ok
hello-ubdb
pattern-at-8192
discard ok
0
EOF
[ $rc -eq 0 ] && cmp -s "$S/multi.expected" "$S/multi.out"
check $? "devices: ubd0, ubd1, ubdp: /proc/partitions, ioctls, mount/umount /dev/ubdb, raw I/O, discard" \
	eval 'boot_diag multi; diff "$S/multi.expected" "$S/multi.out"'
e2fsck -fn "$second" >"$S/second.fsck" 2>&1 &&
	[ "$(debugfs -R 'cat /hello' "$second" 2>/dev/null)" = hello-ubdb ]
check $? "devices: /dev/ubdb holds the file written under /mnt and checks clean" cat "$S/second.fsck"
e2fsck -fn "$root" >"$S/multi.fsck" 2>&1
check $? "devices: the root image checks clean after the halt" cat "$S/multi.fsck"

truncate -s 1M "$S/flags.img"
guest flags 'blockdev --getro /dev/ubdb; blkdiscard /dev/ubdb 2>/dev/null || echo no discard' \
	"ubd0=$root" "ubd1rscdt=$S/flags.img"
[ $rc -eq 0 ] && [ "$(cat "$S/flags.out")" = "$(printf '1\nno discard')" ]
check $? "flags: ubd1rscdt= is read-only without discard" boot_diag flags

# A small cache (mem=16M: 8 MiB) under files larger than it: eviction,
# re-reads from the disk; three writers rewriting one device with fsync,
# so pages change while they are being written back.
root=$(copy small.img)
truncate -s 4M "$S/rewrite.img"
guest small '
dd if=/dev/urandom of=/root/r bs=64k count=384 2>/dev/null
sha256sum < /root/r > /root/r.sum
w() { i=0; while [ $i -lt 20 ]; do dd if=/dev/urandom of=/dev/ubdb bs=64k count=64 conv=fsync 2>/dev/null; i=$((i+1)); done; }
w & w & w; wait
dd if=/dev/urandom of=/dev/ubdb bs=64k count=64 2>/dev/null
sync; sha256sum < /dev/ubdb
sha256sum < /root/r | cmp -s - /root/r.sum && echo reread ok' "ubd0=$root" "ubd1=$S/rewrite.img" mem=16M
[ $rc -eq 0 ] && [ "$(tail -n 1 "$S/small.out")" = "reread ok" ] &&
	[ "$(head -n 1 "$S/small.out" | cut -d' ' -f1)" = "$(sha "$S/rewrite.img")" ] &&
	[ "$(debugfs -R 'cat /root/r' "$root" 2>/dev/null | sha256sum | cut -d' ' -f1)" = \
	  "$(debugfs -R 'cat /root/r.sum' "$root" 2>/dev/null | cut -d' ' -f1)" ] &&
	e2fsck -fn "$root" >"$S/small.fsck" 2>&1
check $? "cache: mem=16M, a 24 MiB file and rewrites under write-back: re-reads match, the disk holds the last writes" \
	eval 'boot_diag small; tail -n 5 "$S/small.fsck"'

# ---------------------------------------------------------------------------
# COW files.

cow1=$S/mkcow.cow
uml_mkcow "$cow1" "$BASE" >/dev/null 2>&1
guest cow1 'echo cow-data-1 > /root/cow1; sync; cat /root/cow1' "ubd0=$cow1"
[ $rc -eq 0 ] && [ "$(cat "$S/cow1.out")" = cow-data-1 ]
check $? "COW: an uml_mkcow COW boots with ubd0=COW (backing from its header) and takes writes" boot_diag cow1
guest cow1b 'cat /root/cow1' "ubd0=$cow1,$BASE"
[ $rc -eq 0 ] && [ "$(cat "$S/cow1b.out")" = cow-data-1 ]
check $? "COW: boot 2 with ubd0=COW,BACKING reads the write back" boot_diag cow1b
uml_moo "$cow1" "$S/merged1.img" >"$S/moo1.log" 2>&1 &&
	e2fsck -fn "$S/merged1.img" >"$S/merged1.fsck" 2>&1 &&
	[ "$(debugfs -R 'cat /root/cow1' "$S/merged1.img" 2>/dev/null)" = cow-data-1 ]
check $? "COW: uml_moo merges it into a clean image holding the file" \
	eval 'cat "$S/moo1.log" "$S/merged1.fsck"'

ref=$S/ref.cow
uml_mkcow "$ref" "$BASE" >/dev/null 2>&1
cow2=$S/umk.cow
guest cow2 '
dd if=/dev/urandom of=/root/big bs=64k count=48 2>/dev/null
sha256sum /root/big > /root/big.sum
mkdir /root/many; i=0; while [ $i -lt 200 ]; do echo $i > /root/many/$i; i=$((i+1)); done
rm /root/many/1*; sync; echo done' "ubd0=$cow2,$BASE"
[ $rc -eq 0 ] && [ "$(cat "$S/cow2.out")" = done ] && [ -f "$cow2" ]
check $? "COW: ubd0=NEW,BACKING creates the COW file and takes writes" boot_diag cow2
cmp -s -n 4128 "$cow2" "$ref" && [ "$(stat -c %s "$cow2")" = "$(stat -c %s "$ref")" ]
check $? "COW: umk's new COW header and size are uml_mkcow's, byte for byte" \
	eval 'cmp -l -n 4128 "$cow2" "$ref" | head -n 5; stat -c "%n %s" "$cow2" "$ref"'
[ "$(du -k "$cow2" | cut -f1)" -lt 8192 ]
check $? "COW: the COW file is sparse ($(du -k "$cow2" | cut -f1) KiB used)"
uml_moo "$cow2" "$S/merged2.img" >"$S/moo2.log" 2>&1 &&
	e2fsck -fn "$S/merged2.img" >"$S/merged2.fsck" 2>&1 &&
	debugfs -R 'cat /root/big' "$S/merged2.img" 2>/dev/null | sha256sum |
	cut -d' ' -f1 | grep -qx "$(debugfs -R 'cat /root/big.sum' "$S/merged2.img" 2>/dev/null | cut -d' ' -f1)"
check $? "COW: uml_moo merges umk's COW into an image e2fsck -fn finds clean, with the guest's files" \
	eval 'cat "$S/moo2.log" "$S/merged2.fsck"'
guest cow2b 'sha256sum -c /root/big.sum; ls /root/many | wc -l' "ubd0=$cow2"
[ $rc -eq 0 ] && [ "$(cat "$S/cow2b.out")" = "$(printf '/root/big: OK\n89')" ]
check $? "COW: boot 2 reads the guest's files back through the COW" boot_diag cow2b

# The unpacked 64-bit v3 header of UML before 2006 (same bitmap and data).
broken=$S/broken.cow
cp --sparse=always "$ref" "$broken"
perl -e '
	open(my $f, "+<", $ARGV[0]) or die; binmode $f;
	read($f, my $h, 4128) == 4128 or die;
	my ($magic, $ver, $mtime, $size, $ss, $al, $fmt) = unpack("N N N Q> N N N", $h);
	my $name = substr($h, 32, 4096);
	my $b = pack("N N N N Q> N N N", $magic, $ver, $mtime, 0, $size, $ss, $al, $fmt)
		. substr($name, 0, 4096) . "\0" x 4;
	seek($f, 0, 0); print $f $b; close $f;' "$broken"
guest broken 'echo b > /root/b; sync; cat /root/b' "ubd0=$broken"
[ $rc -eq 0 ] && [ "$(cat "$S/broken.out")" = b ]
check $? "COW: the broken (unpacked 64-bit) v3 header is read" boot_diag broken

[ "$(sha "$BASE")" = "$BASE_SUM" ]
check $? "COW: the backing file is unchanged"

# ---------------------------------------------------------------------------
# Bad input: a clear error at boot, no file modified.

# bad_input WHAT PATTERN FILES... -- ARGS...
bad_input() {
	local what=$1 pattern=$2 f sums=() files=() st=0 i=0
	shift 2
	while [ "$1" != -- ]; do files+=("$1"); sums+=("$(sha "$1")"); shift; done
	shift
	umk_run bad "$@" quiet rw init=/bin/sh -- -c 'echo booted'
	[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $rc -ne 137 ] &&
		grep -q "$pattern" "$S/bad.err" || st=1
	for f in "${files[@]}"; do
		[ "$(sha "$f")" = "${sums[$i]}" ] || st=1
		i=$((i + 1))
	done
	check $st "bad input: $what: error at boot ($pattern), no file changed" boot_diag bad
}
head -c 100 "$ref" >"$S/trunc.cow"
bad_input "truncated COW header" "truncated COW header" "$S/trunc.cow" "$BASE" -- "ubd0=$S/trunc.cow"
bad_input "truncated COW header, backing given" "truncated COW header" "$S/trunc.cow" "$BASE" -- "ubd0=$S/trunc.cow,$BASE"
cp --sparse=always "$ref" "$S/magic.cow"
printf 'XXXX' | dd of="$S/magic.cow" conv=notrunc 2>/dev/null
bad_input "wrong magic" "not a COW file" "$S/magic.cow" "$BASE" -- "ubd0=$S/magic.cow,$BASE"
truncate -s 1M "$S/small.img"
uml_mkcow "$S/small.cow" "$S/small.img" >/dev/null 2>&1
truncate -s 2M "$S/small.img"
bad_input "backing file of another size" "bytes but the COW header says" "$S/small.cow" "$S/small.img" -- "ubd0=$S/small.cow"
truncate -s 1M "$S/mt.img"
uml_mkcow "$S/mt.cow" "$S/mt.img" >/dev/null 2>&1
touch -d '2001-01-01' "$S/mt.img"
bad_input "backing file with another mtime" "was modified" "$S/mt.cow" "$S/mt.img" -- "ubd0=$S/mt.cow"
other=$(copy other.img)
bad_input "another backing file than the header's" "backing file mismatch" "$ref" "$other" -- "ubd0=$ref,$other"
ro=$(copy ro.img)
chmod 444 "$ro"
bad_input "read-only image without r" "ubd0r=" "$ro" -- "ubd0=$ro"
bad_input "r with a COW file that does not exist" "No such file" "$BASE" -- "ubd0r=$S/none.cow,$BASE"
[ ! -e "$S/none.cow" ]
check $? "bad input: r never creates a COW file"
umk_run ro-ok "ubd0r=$ro" quiet ro init=/bin/sh -- -c 'cat /etc/hostname >/dev/null && echo read'
[ $rc -eq 0 ] && [ "$(cat "$S/ro-ok.out")" = read ]
check $? "bad input: the same read-only image boots with ubd0r=" boot_diag ro-ok
printf 'OOOM\0\0\0\002' >"$S/v2.cow"
head -c 5000 /dev/zero >>"$S/v2.cow"
bad_input "COW version 2" "version 2" "$S/v2.cow" -- "ubd0=$S/v2.cow"

# ---------------------------------------------------------------------------
# Host locks.

# wait_for FILE TEXT: until FILE holds a line matching TEXT (60 s at most).
wait_for() { wait_until 60 grep -q "$2" "$1" 2>/dev/null; }
# wait_lines FILE TEXT N: until N lines of FILE match TEXT (120 s at most).
lines_ge() { [ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ]; }
wait_lines() { wait_until 120 lines_ge "$@"; }

# background TAG ARGS...: umk in the background, its console input a FIFO
# this script holds open on fd 7 (the guest's `read` waits on it, so the
# guest lives exactly as long as the test needs: no sleep). Sets bg_pid,
# umk's own pid (no timeout wrapper: a SIGKILL must reach umk itself; the
# exit trap kills what is left).
background() {
	local tag=$1
	shift
	rm -f "$S/$tag.in"
	mkfifo "$S/$tag.in"
	"$UMK" "$@" <"$S/$tag.in" >"$S/$tag.out" 2>&1 &
	bg_pid=$!
	bg_pids+=($bg_pid)
	exec 7>"$S/$tag.in"
}
# release PID: close the FIFO; the guest's read sees EOF, the shell exits
# and umk halts cleanly (killed if it has not within 120 s).
ended() { [ ! -e "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
release() {
	exec 7>&-
	wait_until 120 ended "$1" || kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

lock=$(copy lock.img)
background lockA "ubd0=$lock" quiet rw init=/bin/sh -- -c 'echo up; read x'
lockA=$bg_pid
wait_for "$S/lockA.out" up
guest lockB 'echo B' "ubd0=$lock"
[ $rc -ne 0 ] && grep -q "locked" "$S/lockB.err"
check $? "locks: a second umk on an image in use is refused" boot_diag lockB
umk_run lockC "ubd0rc=$lock" quiet ro init=/bin/sh -- -c 'echo C'
[ $rc -eq 0 ] && [ "$(cat "$S/lockC.out")" = C ]
check $? "locks: with c (shared) it is not locked" boot_diag lockC
release "$lockA"
background shareA "ubd0=$S/shareA.cow,$BASE" quiet rw init=/bin/sh -- -c 'echo up; read x'
shareA=$bg_pid
wait_for "$S/shareA.out" up
guest shareB 'echo B' "ubd0=$S/shareB.cow,$BASE"
[ $rc -eq 0 ] && [ "$(cat "$S/shareB.out")" = B ]
check $? "locks: two overlays share one backing file" boot_diag shareB
guest shareC 'echo C' "ubd0=$BASE"
[ $rc -ne 0 ] && grep -q "locked" "$S/shareC.err"
check $? "locks: the backing file of a running overlay cannot be opened read-write" boot_diag shareC
release "$shareA"

# ---------------------------------------------------------------------------
# Durability.

sdev=$(copy sync.img)
background sflag "ubd0s=$sdev" quiet rw init=/bin/sh -- -c 'echo sync-data > /root/s; echo written; read x'
pid=$bg_pid
wait_for "$S/sflag.out" written
{ kill -9 $pid; wait $pid; } 2>/dev/null
exec 7>&-
e2fsck -fy "$sdev" >"$S/sflag.fsck" 2>&1
[ $? -lt 4 ] && e2fsck -fn "$sdev" >>"$S/sflag.fsck" 2>&1 &&
	[ "$(debugfs -R 'cat /root/s' "$sdev" 2>/dev/null)" = sync-data ]
check $? "durability: with s a write is in the image without fsync (SIGKILL, e2fsck -fy)" \
	eval 'cat "$S/sflag.out"; tail -n 15 "$S/sflag.fsck"'

crash=$(copy crash.img)
for round in $(seq "$ROUNDS"); do
	out=$S/crash$round.out
	"$UMK" "ubd0=$crash" quiet rw init=/fsync_writer -- write "/crash$round" \
		</dev/null >"$out" 2>"$S/crash$round.err" &
	pid=$!
	bg_pids+=($pid)
	# SIGKILL at a random point of the writes: after a random number of
	# returned fsyncs, while later files are in flight.
	wait_lines "$out" '^synced' $((1 + RANDOM % 100))
	{ kill -9 $pid; wait $pid; } 2>/dev/null
	synced=$(grep -c '^synced ' "$out")
	# Preen (what boot scripts run) must fix it without questions.
	e2fsck -fp "$crash" >"$S/crash$round.fsck" 2>&1
	st=$?
	echo "== e2fsck -fn after it" >>"$S/crash$round.fsck"
	e2fsck -fn "$crash" >>"$S/crash$round.fsck" 2>&1
	st2=$?
	[ $st -lt 4 ] && [ $st2 -eq 0 ] && [ "$synced" -gt 0 ]
	check $? "crash $round: SIGKILL after $synced fsyncs; e2fsck -fp (preen) leaves a clean image" \
		eval 'cat "$S/crash$round.err"; head -n 30 "$S/crash$round.fsck"'
	mkdir -p "$S/got$round"
	sed -n 's/^synced //p' "$out" | while read -r i; do
		echo "dump /crash$round/f$i $S/got$round/f$i"
	done >"$S/dump$round.cmds"
	debugfs -f "$S/dump$round.cmds" "$crash" >/dev/null 2>&1
	bad=0
	for i in $(sed -n 's/^synced //p' "$out"); do
		"$WRITER" expect "$i" | cmp -s - "$S/got$round/f$i" || { bad=$((bad + 1)); echo "f$i"; }
	done >"$S/crash$round.bad"
	[ -s "$S/crash$round.bad" ] && bad=1
	check $bad "crash $round: every file whose fsync returned is intact ($synced files)" \
		eval 'echo "damaged or missing:"; head -n 10 "$S/crash$round.bad"'
done

finish

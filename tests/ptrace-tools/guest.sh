#!/bin/sh
# Runs inside the guest (Debian root, tests/ptrace-tools/run.sh): Debian's
# strace and gdb on tests/ptrace-tools/target, each section's output after
# a "== NAME" line for the host to check. The tools disk is at /mnt; run.sh
# also runs this natively with the tools directory as $1 (the reference).
cd "${1:-/mnt}" || exit 1
T=$PWD/target
TMPDIR=${TMPDIR:-/tmp}

echo "== strace-pipeline"
strace -f -o $TMPDIR/st.out sh -c 'echo hi | cat' > $TMPDIR/st.stdout 2> $TMPDIR/st.err
echo "status $?"
cat $TMPDIR/st.stdout $TMPDIR/st.out
echo "-- stderr"
cat $TMPDIR/st.err

echo "== strace-threads"
strace -f -e trace=clone,clone3,exit,exit_group -o $TMPDIR/st3.out $T threads
echo "status $?"
cat $TMPDIR/st3.out

echo "== strace-signal"
strace -f -e trace=kill,exit_group sh -c 'kill -TERM $$' 2>&1
echo "status $?"

echo "== strace-syscall-info"
# Without PTRACE_GET_SYSCALL_INFO strace falls back to registers; both
# must agree on what one call was.
strace -e trace=openat -o $TMPDIR/st2.out cat /nonexistent 2>/dev/null
cat $TMPDIR/st2.out

echo "== gdb-break-step"
L=$(grep -n 'total += square(i);' target.c | cut -d: -f1)
gdb -nx -batch -ex 'break main' -ex run -ex next -ex "until $L" -ex step \
	-ex 'print x' -ex bt -ex finish -ex 'info registers rip' \
	-ex continue $T 2>&1
echo "status $?"

echo "== gdb-watch-hw"
gdb -nx -batch -ex 'break main' -ex run -ex 'watch counter' -ex continue \
	-ex continue -ex delete -ex continue $T 2>&1

echo "== gdb-watch-sw"
gdb -nx -batch -ex 'set can-use-hw-watchpoints 0' -ex 'break main' -ex run \
	-ex 'watch counter' -ex continue -ex delete -ex continue $T 2>&1

echo "== gdb-attach"
mkfifo $TMPDIR/ready
$T spin > $TMPDIR/ready &
pid=$!
read line < $TMPDIR/ready
echo "target says $line"
gdb -nx -batch -p $pid -ex bt -ex 'print counter' -ex detach 2>&1
kill $pid
wait $pid
echo "target status $?"

echo "== gdb-follow-fork"
gdb -nx -batch -ex 'set follow-fork-mode child' -ex 'break child_work' \
	-ex 'run fork' -ex bt -ex 'print n' -ex next -ex 'print r' \
	-ex continue $T 2>&1
echo "status $?"
# gdb detached the parent, which prints "child exit 0" once it has reaped
# the child; it is gdb's child, not ours: wait until it is gone (a /proc
# state, polled with a bound of 30 s), or its line may come after ours.
i=0
while pgrep -x target > /dev/null && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "== end"

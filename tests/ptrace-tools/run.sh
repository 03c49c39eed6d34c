#!/usr/bin/env bash
# tests/ptrace-tools/run.sh: Debian's strace and gdb inside the guest, in
# every mode of UMK_MODES. Prints TAP lines and "1..N"; exit status 0 iff
# all passed. make check runs it once per mode as unit/ptrace_tools_MODE
# (tests/unit/ptrace_tools.mk).
#
# The guest boots the Debian root ($B/debian.img, scripts/mkdebian.sh,
# through a COW overlay so the image is never written) with the tools disk
# ($B/tests/ptrace-tools.img: target and guest.sh) as /dev/ubdb, and runs
# guest.sh, whose sections ("== NAME") are checked here line by line
# against what strace and gdb print on Linux for the same program.
#
# The same checks run first on guest.sh's output on the host itself
# ("native/..."), with the host's strace and gdb: they are Linux's. In
# seccomp mode (no ptrace under the guest) the debug registers are out of
# reach: hardware watchpoints are refused and gdb says so.
#
# Environment: UMK (./umk), UMK_MODES (the modes umk --help lists), B (build).
set -uo pipefail

. "$(dirname "$0")/../lib.sh"
lib_init ptrace-tools
DEBIAN=$B/debian.img
TOOLS=$B/tests/ptrace-tools.img
TOOLS_DIR=$B/tests/ptrace-tools

# section NAME: the lines of section NAME of the current run's output.
section() {
	awk -v s="== $1" '$0 == s { on = 1; next } /^== / { on = 0 } on' "$OUT"
}

# expect WHAT SECTION REGEX...: every extended regex matches some line of
# the section (in any order: the outputs of a tracer and its tracee may
# interleave differently from run to run).
expect() {
	local what=$1 sec=$2 text re missing=
	shift 2
	text=$(section "$sec")
	for re in "$@"; do
		if ! grep -Eq -- "$re" <<< "$text"; then
			missing=$re
			break
		fi
	done
	if [ -z "$missing" ]; then
		ok "$MODE/$what"
	else
		notok "$MODE/$what"
		echo "# no line matching: $missing"
		section "$sec" | tail -n 25 | sed 's/^/#   /'
	fi
}

# refuse WHAT SECTION REGEX: no line of the section matches.
refuse() {
	if section "$2" | grep -Eq -- "$3"; then
		notok "$MODE/$1"
		section "$2" | grep -E -- "$3" | head -n 5 | sed 's/^/#   /'
	else
		ok "$MODE/$1"
	fi
}

if [ ! -x "$UMK" ] || [ ! -f "$DEBIAN" ] || [ ! -f "$TOOLS" ]; then
	notok "ptrace-tools: missing $UMK, $DEBIAN or $TOOLS (make test-build debian-image, as root)"
	tap_finish
	exit 1
fi

for MODE in native $MODES; do
	OUT=$S/$MODE.out
	rm -f "$S/$MODE.cow"
	if [ "$MODE" = native ]; then
		mkdir -p "$S/tmp"
		TMPDIR=$S/tmp timeout -k 5 300 "$TOOLS_DIR/guest.sh" \
			"$TOOLS_DIR" < /dev/null > "$OUT" 2> "$S/$MODE.err"
		st=$?
	else
		timeout -k 5 300 "$UMK" "ubd0=$S/$MODE.cow,$DEBIAN" \
			"ubd1r=$TOOLS" mode="$MODE" quiet rw init=/sbin/init -- \
			'mount -o ro /dev/ubdb /mnt && /mnt/guest.sh' \
			< /dev/null 2> "$S/$MODE.err" | tr -d '\r' > "$OUT"
		st=${PIPESTATUS[0]}
	fi
	if [ "$st" -ne 0 ] || ! grep -q '^== end$' "$OUT"; then
		notok "$MODE/boot: umk exit status $st, guest.sh did not finish"
		tail -n 15 "$OUT" "$S/$MODE.err" | diag 40
		continue
	fi
	ok "$MODE/boot: guest.sh ran to its end"

	# strace -f of a pipeline: every process, its calls and exit. A call
	# that another process's line interrupts is printed unfinished and
	# resumed, natively too.
	expect "strace -f: the shell's execve" strace-pipeline \
		'^status 0$' '^hi$' \
		'^[0-9]+ +execve\("/usr/bin/sh", \["sh", "-c", "echo hi \| cat"\]' \
		'^[0-9]+ +(clone|clone3|vfork)\('
	expect "strace -f: the children's calls" strace-pipeline \
		'^[0-9]+ +execve\("/usr/bin/cat", \["cat"\]' \
		'^[0-9]+ +write\(1, "hi\\n", 3( <unfinished \.\.\.>|\) += 3)$' \
		'^[0-9]+ +--- SIGCHLD \{si_signo=SIGCHLD, si_code=CLD_EXITED' \
		'^[0-9]+ +\+\+\+ exited with 0 \+\+\+$'
	if [ "$(section strace-pipeline | grep -Ec '^[0-9]+ +\+\+\+ exited with 0 \+\+\+$')" = 3 ]; then
		ok "$MODE/strace -f: three processes exit 0"
	else
		notok "$MODE/strace -f: three processes exit 0"
		section strace-pipeline | grep -E '\+\+\+' | sed 's/^/#   /'
	fi
	refuse "strace -f: no complaint from strace" strace-pipeline '^strace: '
	expect "strace -f: threads" strace-threads \
		'^threads 6$' '^status 0$' \
		'^[0-9]+ +clone3\(\{flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_SIGHAND\|CLONE_THREAD\|CLONE_SYSVSEM\|CLONE_SETTLS\|CLONE_PARENT_SETTID\|CLONE_CHILD_CLEARTID' \
		'^[0-9]+ +exit\(0( <unfinished \.\.\.>|\) += \?)$' \
		'^[0-9]+ +\+\+\+ exited with 0 \+\+\+$'
	if [ "$(section strace-threads | grep -Ec '^[0-9]+ +\+\+\+ exited with 0 \+\+\+$')" = 3 ]; then
		ok "$MODE/strace -f: both threads and the process exit"
	else
		notok "$MODE/strace -f: both threads and the process exit"
		section strace-threads | sed 's/^/#   /'
	fi
	expect "strace: a fatal signal" strace-signal \
		'^kill\([0-9]+, SIGTERM\) += 0$' \
		'^--- SIGTERM \{si_signo=SIGTERM, si_code=SI_USER, si_pid=[0-9]+, si_uid=0\} ---$' \
		'^\+\+\+ killed by SIGTERM \+\+\+$'
	expect "strace: a failing call" strace-syscall-info \
		'^openat\(AT_FDCWD, "/nonexistent", O_RDONLY\) = -1 ENOENT \(No such file or directory\)$'

	# gdb: breakpoint, next, step into a function, print, bt, finish.
	expect "gdb: break at main, next, step" gdb-break-step \
		'^Breakpoint 1 at 0x[0-9a-f]+: file .*target\.c, line [0-9]+\.$' \
		'^Breakpoint 1, main \(argc=1, argv=0x[0-9a-f]+\) at .*target\.c:[0-9]+$' \
		'^[0-9]+[[:space:]]+total \+= square\(i\);$' \
		'^square \(x=1\) at .*target\.c:[0-9]+$'
	expect "gdb: print and backtrace" gdb-break-step \
		'^\$1 = 1$' \
		'^#0  square \(x=1\) at .*target\.c:[0-9]+$' \
		'^#1  0x[0-9a-f]+ in main \(argc=1, argv=0x[0-9a-f]+\) at .*target\.c:[0-9]+$'
	expect "gdb: finish and continue" gdb-break-step \
		'^Value returned is \$2 = 1$' \
		'^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <main\+[0-9]+>$' \
		'^total 14$' '^\[Inferior 1 \(process [0-9]+\) exited normally\]$'
	if [ "$MODE" = seccomp ]; then
		# No ptrace under the guest there: no way to the host thread's
		# debug registers. gdb is told so (-ENOSPC, no slot).
		expect "gdb: hardware watchpoint refused (no debug registers in seccomp mode)" \
			gdb-watch-hw '^Hardware watchpoint 2: counter$' \
			"^Couldn't write debug register: No space left on device\\.$"
	else
		expect "gdb: hardware watchpoint" gdb-watch-hw \
			'^Hardware watchpoint 2: counter$' \
			'^Old value = 0$' '^New value = 1$' \
			'^Old value = 1$' '^New value = 2$' '^total 14$'
		refuse "gdb: the debug registers took the watchpoint" gdb-watch-hw \
			"Couldn't write debug register|Could not insert"
	fi
	expect "gdb: software watchpoint" gdb-watch-sw \
		'^Watchpoint 2: counter$' '^Old value = 0$' '^New value = 1$' \
		'^total 14$'
	expect "gdb: attach to a running process" gdb-attach \
		'^target says ready$' \
		'^#[0-9]+ +0x[0-9a-f]+ in spin \(\) at .*target\.c:[0-9]+$' \
		'^#[0-9]+ +0x[0-9a-f]+ in main \(argc=2, ' \
		'^\$1 = 0$' '^\[Inferior 1 \(process [0-9]+\) detached\]$' \
		'^target status 143$'
	expect "gdb: follow a fork into the child" gdb-follow-fork \
		'^\[Attaching after .* fork to child process [0-9]+\]$' \
		'hit Breakpoint 1, child_work \(n=1\) at .*target\.c:[0-9]+$' \
		'^#1  0x[0-9a-f]+ in main \(argc=2, ' \
		'^\$1 = 1$' '^\$2 = 101$' \
		'^\[Inferior 2 \(process [0-9]+\) exited normally\]$' \
		'^child exit 0$' '^status 0$'
	refuse "gdb: no internal errors" gdb-break-step \
		'internal-error|Cannot access memory|Couldn.t get registers'
done

tap_finish

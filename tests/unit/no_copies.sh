#!/usr/bin/env bash
# tests/unit/no_copies.sh: no unit test source defines a function that the
# kernel defines. A unit test links the real kernel (tests/tests.mk); a copy
# of a kernel function in a test would keep passing when the real one
# breaks, and a fake with a kernel function's name would replace the real
# one at link time.
#
# Every .c file of the kernel (arch/, kernel/, skas/, tt-mode/, seccomp/,
# ubd/, sigio/, the stub excepted) and of tests/unit/ is compiled at -O0 with
# line information, so static and inline functions are kept; the names of
# the functions each defines in that .c file itself (nm -l: not the
# inline functions of the headers it includes) are compared. main is
# exempt. Prints TAP: one line per unit test source, then "1..N".
#
# Environment: CC (gcc), JOBS (nproc).
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CC=${CC:-gcc}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
S=$(mktemp -d "${TMPDIR:-/tmp}/umk-no-copies.XXXXXX")
trap 'rm -rf "$S"' EXIT

FLAGS=(-std=gnu11 -O0 -g1 -w -fno-inline -Iinclude -Iarch/um/include -D_GNU_SOURCE)
export CC S
export FLAGS_STR="${FLAGS[*]}"

# functions SRC...: "NAME SRC" for each function defined in the .c file.
functions() {
	local src obj
	for src; do
		obj=$S/$(echo "$src" | tr / _).o
		# shellcheck disable=SC2086
		if ! $CC $FLAGS_STR -c -o "$obj" "$src" 2> "$obj.err"; then
			echo "!compile $src"
			continue
		fi
		nm -l --defined-only "$obj" | awk -v src="$src" '
			$2 ~ /^[TtWw]$/ {
				loc = $NF; sub(/:[0-9]+$/, "", loc)
				n = split(src, parts, "/")
				if (loc ~ ("(^|/)" src "$") || loc == parts[n]) {
					name = $3; sub(/\..*/, "", name)
					print name, src
				}
			}'
	done
}
export -f functions

kernel_srcs=$(find arch kernel skas tt-mode seccomp ubd sigio -name '*.c' \
	-not -path 'arch/um/stub/*' 2>/dev/null | sort)
unit_srcs=$(ls tests/unit/*.c)

printf '%s\n' $kernel_srcs | xargs -P "$JOBS" -n 8 bash -c 'functions "$@"' _ \
	> "$S/kernel.list"
printf '%s\n' $unit_srcs | xargs -P "$JOBS" -n 4 bash -c 'functions "$@"' _ \
	> "$S/unit.list"

n=0
fails=0
if grep -q '^!compile' "$S/kernel.list" "$S/unit.list" || [ ! -s "$S/kernel.list" ]; then
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - the kernel and unit test sources compile for the check"
	grep -h '^!compile' "$S/kernel.list" "$S/unit.list" | sed 's/^/# /'
fi
awk '$1 != "main" && $1 !~ /^!/ { print $1 }' "$S/kernel.list" | sort -u > "$S/kernel.names"
for src in $unit_srcs; do
	n=$((n + 1))
	copies=$(awk -v src="$src" '$2 == src && $1 != "main" { print $1 }' "$S/unit.list" |
		sort -u | comm -12 - "$S/kernel.names")
	if [ -z "$copies" ]; then
		echo "ok $n - $src defines no kernel function"
	else
		fails=$((fails + 1))
		echo "not ok $n - $src defines kernel functions: $(echo $copies)"
		for f in $copies; do
			awk -v f="$f" '$1 == f { print "# " f " is the kernel'\''s, in " $2 }' "$S/kernel.list"
		done
	fi
done
echo "1..$n"
[ $fails -eq 0 ]

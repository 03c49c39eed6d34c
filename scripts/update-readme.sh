#!/bin/sh
# Rewrite the system call table of README.md between its markers from
# include/umk/syscall_list.h. With --check, only report whether it is current
# (exit 1 if not).
set -eu
cd "$(dirname "$0")/.."
new=$(mktemp)
trap 'rm -f "$new"' EXIT
awk -v table="$(scripts/syscalls-md.sh)" '
	/<!-- syscalls:begin -->/ { print; print table; skip = 1; next }
	/<!-- syscalls:end -->/ { skip = 0 }
	!skip { print }' README.md > "$new"
if [ "${1:-}" = --check ]; then
	cmp -s "$new" README.md
else
	cp "$new" README.md
fi

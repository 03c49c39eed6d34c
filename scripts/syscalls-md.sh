#!/bin/sh
# Print the syscall support table of README.md from the one syscall list,
# include/umk/syscall_list.h (SYSCALL(name, args, file, support, note)).
# Usage: scripts/syscalls-md.sh > build/syscalls.md
set -eu
list=$(dirname "$0")/../include/umk/syscall_list.h
echo "| syscall | support | where | notes |"
echo "|---|---|---|---|"
sed -n 's/^SYSCALL(\([a-z0-9_]*\), "[a-zA-Z]*", "\([^"]*\)", \([a-z]*\), "\(.*\)")$/| \1 | \3 | \2 | \4 |/p' "$list"
echo
echo "Every other system call returns -ENOSYS (logged once per boot)."

#!/bin/sh
# TAP: README.md's syscall table is what scripts/syscalls-md.sh generates.
cd "$(dirname "$0")/../../.." || exit 1
echo "1..1"
if scripts/update-readme.sh --check; then
	echo "ok 1 - README.md syscall table matches syscall_list.h"
else
	echo "not ok 1 - README.md syscall table is stale: run scripts/update-readme.sh"
fi

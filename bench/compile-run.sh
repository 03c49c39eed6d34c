#!/bin/sh
# compile-run.sh: the compile workload of bench/run.sh, run as /bench/compile-run.sh
# inside the root of build/bench/compile.img: natively under chroot, as the
# guest's command in each umk mode, under gVisor (runsc do -root) and proot.
# Copies /bench/proj (bench/genproj.sh) to /tmp, times `make -s -j2` there
# with date(1), runs the program, and prints one line:
#   compile ns=WALL checksum HEX
# The checksum must be the same in every runner (bench/run.sh compares it
# with the native one).
set -eu

rm -rf /tmp/proj
cp -r /bench/proj /tmp/proj
cd /tmp/proj
start=$(date +%s%N)
make -s -j2
end=$(date +%s%N)
echo "compile ns=$((end - start)) $(./prog)"
rm -rf /tmp/proj

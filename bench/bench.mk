# bench/: microbenchmarks natively, in mode=skas, mode=tt and mode=seccomp,
# pinned to one CPU and unpinned, against the bare ptrace and SIGSYS
# references, gVisor (runsc, ptrace platform) and proot, and a compile
# workload (make -j2 in a Debian root with gcc); the peers and gnuplot are
# Debian packages that bench-setup installs. Included from the top Makefile;
# `make bench` runs bench-run (about 6 minutes on 2 CPUs) and bench-ubd.
#
#   make bench-run                 everything, results in build/bench/
#   BENCH_REPS=N make bench-run    repetitions per measurement (default 5)
#   BENCH_CPU=N make bench-run     the CPU of the pinned runs (default last)
#   BENCH_CPU=none make bench-run  unpinned runs only
#   BENCH_COMPILE=no make bench-run  no compile workload (it needs root and
#                                  Debian's archive for its image, once)
#   BENCH_COMPILE_REPS=N           repetitions of the compile (default 3)

B ?= build
BENCH_OUT    := $(B)/bench
BENCH_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -D_GNU_SOURCE

# Guest programs (static, go into the image) and host-only tools.
BENCH_GUEST := $(BENCH_OUT)/root/bench/micro $(BENCH_OUT)/root/bench/true
BENCH_HOST  := $(BENCH_OUT)/bin/ptrace_ref $(BENCH_OUT)/bin/ctxsw \
	       $(BENCH_OUT)/bin/sigsys_ref
BENCH_DATA  := $(BENCH_OUT)/root/bench/data
BENCH_IMAGE := $(BENCH_OUT)/bench.img

$(BENCH_OUT)/root/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -static -o $@ $<

$(BENCH_OUT)/bin/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -static -o $@ $<

$(BENCH_OUT)/bin/sigsys_ref: bench/sigsys_ref.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -static -o $@ $< -lseccomp

# 64 MiB of incompressible data for the sequential read.
$(BENCH_DATA):
	@mkdir -p $(dir $@)
	head -c 64M /dev/urandom > $@.tmp && mv $@.tmp $@

$(BENCH_IMAGE): $(BENCH_GUEST) $(BENCH_DATA)
	@mkdir -p $(BENCH_OUT)/root/dev
	mke2fs -q -t ext4 -d $(BENCH_OUT)/root -F $@.tmp 256M && mv $@.tmp $@

bench-progs: $(BENCH_GUEST) $(BENCH_HOST) $(BENCH_IMAGE)

# The compile workload: scripts/mkdebian.sh's root plus gcc, make and
# libc6-dev (its own image: the tests' build/debian.img stays as it is),
# extracted to $(BENCH_DEV_ROOT) (native runs chroot there, gVisor and proot
# use it as their root), with the generated project and its runner added,
# and made into $(BENCH_COMPILE_IMAGE) again for umk (booted read-only).
BENCH_DEV_BASE      := $(BENCH_OUT)/debian-dev.img
BENCH_DEV_ROOT      := $(BENCH_OUT)/devroot
BENCH_COMPILE_IMAGE := $(BENCH_OUT)/compile.img

$(BENCH_DEV_BASE): scripts/mkdebian.sh
	EXTRA_PACKAGES=gcc,make,libc6-dev scripts/mkdebian.sh $@

$(BENCH_COMPILE_IMAGE): $(BENCH_DEV_BASE) bench/genproj.sh bench/compile-run.sh
	rm -rf $(BENCH_DEV_ROOT) && mkdir -p $(BENCH_DEV_ROOT)
	debugfs -R "rdump / $(BENCH_DEV_ROOT)" $(BENCH_DEV_BASE) 2>/dev/null
	test -x $(BENCH_DEV_ROOT)/usr/bin/make && test -x $(BENCH_DEV_ROOT)/usr/bin/gcc
	[ -e $(BENCH_DEV_ROOT)/dev/null ] || mknod -m 666 $(BENCH_DEV_ROOT)/dev/null c 1 3
	bench/genproj.sh $(BENCH_DEV_ROOT)/bench/proj
	install -m 755 bench/compile-run.sh $(BENCH_DEV_ROOT)/bench/compile-run.sh
	mke2fs -q -t ext4 -d $(BENCH_DEV_ROOT) -F $@.tmp 1G && mv $@.tmp $@

bench-compile: $(BENCH_COMPILE_IMAGE)

# The peers and the chart tool, installed by the same set-up as the build.
BENCH_DEBS := gnuplot-nox runsc proot

bench-setup:
	@scripts/setup.sh $(BENCH_DEBS)

bench-run: bench-setup umk bench-progs $(if $(filter no,$(BENCH_COMPILE)),,bench-compile)
	B=$(B) bench/run.sh

# Block devices: sequential read/write of a 256 MiB file on ubd (raw and
# COW) against the host on the same image file (about 1 GiB under
# $(B)/bench/ubd/).
bench-ubd: umk
	B=$(B) bench/ubd.sh

.PHONY: bench-setup bench-progs bench-compile bench-run bench-ubd

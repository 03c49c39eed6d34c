# bench/: microbenchmarks natively, in mode=skas and mode=tt, against the
# bare ptrace references, gVisor (runsc, ptrace platform) and proot; the
# peers and gnuplot are Debian packages that bench-setup installs.
# Included from the top Makefile; `make bench` runs bench-run.
#
#   make bench-run                 everything, results in build/bench/
#   BENCH_REPS=N make bench-run    repetitions per measurement (default 5)
#   BENCH_CPU=none make bench-run  do not pin the runs to one host CPU

B ?= build
BENCH_OUT    := $(B)/bench
BENCH_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -D_GNU_SOURCE

# Guest programs (static, go into the image) and host-only tools.
BENCH_GUEST := $(BENCH_OUT)/root/bench/micro $(BENCH_OUT)/root/bench/true
BENCH_HOST  := $(BENCH_OUT)/bin/ptrace_ref $(BENCH_OUT)/bin/ctxsw
BENCH_DATA  := $(BENCH_OUT)/root/bench/data
BENCH_IMAGE := $(BENCH_OUT)/bench.img

$(BENCH_OUT)/root/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -static -o $@ $<

$(BENCH_OUT)/bin/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -static -o $@ $<

# 64 MiB of incompressible data for the sequential read.
$(BENCH_DATA):
	@mkdir -p $(dir $@)
	head -c 64M /dev/urandom > $@.tmp && mv $@.tmp $@

$(BENCH_IMAGE): $(BENCH_GUEST) $(BENCH_DATA)
	@mkdir -p $(BENCH_OUT)/root/dev
	mke2fs -q -t ext4 -d $(BENCH_OUT)/root -F $@.tmp 256M && mv $@.tmp $@

bench-progs: $(BENCH_GUEST) $(BENCH_HOST) $(BENCH_IMAGE)

# The peers and the chart tool, installed by the same set-up as the build.
BENCH_DEBS := gnuplot-nox runsc proot

bench-setup:
	@scripts/setup.sh $(BENCH_DEBS)

bench-run: bench-setup umk bench-progs
	B=$(B) bench/run.sh

# Block devices: sequential read/write of a 256 MiB file on ubd (raw and
# COW) against the host on the same image file (about 1 GiB under
# $(B)/bench/ubd/).
bench-ubd: umk
	B=$(B) bench/ubd.sh

.PHONY: bench-setup bench-progs bench-run bench-ubd

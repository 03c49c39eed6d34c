# umk: build, image, run, check, bench.
#   make          build ./umk
#   make run      set up (apt-get as root), build the default image, boot it
#   make check    set up, build, run the unit and guest tests
#   make sanitize build ./umk-san with ASan and UBSan (objects in build/san/)
#   make fuzz     trinity and tests/fuzz/ against umk-san in every mode
#   make bench    microbenchmarks natively and in each mode

CC      ?= gcc
CFLAGS  := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
           -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-missing-field-initializers -fno-strict-aliasing \
           -Iinclude -Iarch/um/include -D_GNU_SOURCE $(EXTRA_CFLAGS)
LDLIBS  := -lext2fs -lcom_err -lcap -lseccomp -lpthread
B       := build
# The program the kernel objects link into: ./umk, or ./umk-san for
# `make sanitize` (which sets B, UMK_BIN and the sanitizer flags).
UMK_BIN := umk

# Kernel sources: every .c under these trees (the stub is built apart).
KSRC := $(wildcard arch/um/kernel/*.c arch/um/os-Linux/*.c arch/um/ptrace/*.c \
          arch/um/drivers/*.c \
          skas/*.c seccomp/*.c \
          tt-mode/*.c kernel/*.c kernel/fs/*.c kernel/fs/*/*.c \
          kernel/drivers/*.c kernel/ipc/*.c kernel/net/*.c ubd/*.c sigio/*.c)
KASM := $(wildcard arch/um/kernel/*.S)
KOBJ := $(KSRC:%.c=$(B)/obj/%.o) $(KASM:%.S=$(B)/obj/%.o) $(B)/obj/stub_blob.o

all: umk

$(UMK_BIN): $(KOBJ)
	$(CC) $(CFLAGS) -o $@ $(KOBJ) $(LDLIBS)

# The sanitizer build: the same sources with ASan and UBSan, every UBSan
# report fatal; UMK_SANITIZE widens umk's own seccomp allowlist by the few
# host calls the sanitizer runtimes make (arch/um/os-Linux/seccomp.c).
SAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -DUMK_SANITIZE
sanitize:
	@$(MAKE) --no-print-directory B=$(B)/san UMK_BIN=umk-san \
		EXTRA_CFLAGS="$(SAN_CFLAGS)" umk-san

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The stub: static, no libc, linked at a fixed high address (arch/um/stub/).
STUB_CFLAGS := -std=gnu11 -Os -Wall -Wextra -Iinclude -Iarch/um/include \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-pie \
	-fno-asynchronous-unwind-tables -mgeneral-regs-only -mcmodel=large \
	-nostdlib -static \
	-no-pie -fcf-protection=none
STUB_SRC := arch/um/stub/stub.c arch/um/stub/stub_seccomp.c
$(B)/stub: $(STUB_SRC) arch/um/stub/stub.lds arch/um/include/stub.h \
		arch/um/include/stub_seccomp.h
	@mkdir -p $(B)
	$(CC) $(STUB_CFLAGS) -Wl,-T,arch/um/stub/stub.lds -Wl,--build-id=none \
		-o $@ $(STUB_SRC)
$(B)/obj/stub_blob.o: $(B)/stub arch/um/stub/stub_blob.S
	@mkdir -p $(dir $@)
	$(CC) -c -DSTUB_PATH='"$(B)/stub"' -o $@ arch/um/stub/stub_blob.S

-include $(KOBJ:.o=.d)
-include tests/tests.mk
-include bench/bench.mk

# Set-up: Debian packages the build, the image and the tests need.
DEBS := gcc make libc6-dev libext2fs-dev e2fsprogs libseccomp-dev libcap-dev \
        busybox-static tmux uml-utilities debootstrap iproute2 gdb strace procps
setup:
	@scripts/setup.sh $(DEBS)

IMAGE := $(B)/rootfs.img
$(IMAGE): scripts/mkrootfs.sh $(wildcard tests/guest/*.c)
	scripts/mkrootfs.sh $@

# The Debian bookworm root of the tests (scripts/mkdebian.sh; needs root and
# Debian's archive), made once and kept until the script changes.
DEBIAN_IMAGE := $(B)/debian.img
$(DEBIAN_IMAGE): scripts/mkdebian.sh
	scripts/mkdebian.sh $@
debian-image: $(DEBIAN_IMAGE)

run: setup
	$(MAKE) umk $(IMAGE)
	./umk ubd0=$(IMAGE)

bench: bench-run bench-ubd

clean:
	rm -rf $(B) umk umk-san

.PHONY: all setup run check clean bench debian-image sanitize

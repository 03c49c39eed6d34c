# Tests, included by the top Makefile.
#   make check        set up, build umk, the unit tests, the guest test
#                     programs and the test image, then run tests/run.sh
#   make test-build   everything check builds, without running it
#   make test-guest   only the static guest programs (build/tests/guest/)
#   make test-image   only the test image (build/test-rootfs.img)
#
# Unit tests come from tests/unit/*.mk, written by their owners: each adds
# the executables it builds (under $(B)/tests/unit/) to UNIT_TESTS. run.sh
# runs every executable it finds in $(B)/tests/unit/.

# Guest programs are static. Those of GUEST_KINDS are also built as a
# static-PIE (NAME.pie) and as a dynamic program (NAME.dyn) run against
# the image's own glibc and ld.so (scripts/mkrootfs.sh copies them from
# the host's libc6): every binary kind runs natively and in every mode.
# GUEST_CFLAGS builds a static guest program (the other suites' .mk files
# use it too); GUEST_KIND_CFLAGS is the same without -static.
GUEST_KIND_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
		-D_GNU_SOURCE -pthread
GUEST_CFLAGS := -static $(GUEST_KIND_CFLAGS)
GUEST_KINDS  := kinds threads signals
GUEST_SRC    := $(wildcard tests/guest/*.c)
GUEST_BIN    := $(GUEST_SRC:tests/guest/%.c=$(B)/tests/guest/%) \
		$(GUEST_KINDS:%=$(B)/tests/guest/%.pie) \
		$(GUEST_KINDS:%=$(B)/tests/guest/%.dyn)
TEST_IMAGE   := $(B)/test-rootfs.img
TEST_FILES   := $(wildcard tests/scripts/*.sh) $(shell find tests/data -type f 2>/dev/null)

# Unit tests link the real kernel: every object of umk in one archive (the
# linker takes the members a test needs), umk's main renamed so the test's
# own main is the entry, and the surroundings of tests/unit/fakes.c. A unit
# test links:  $(CC) $(CFLAGS) -o $@ TEST.c $(UNIT_LINK)
UNIT_KLIB  := $(B)/tests/unit/libumk.a
UNIT_FAKES := $(B)/tests/unit/obj/fakes.o
UNIT_LINK  := $(UNIT_FAKES) $(UNIT_KLIB) $(LDLIBS)
UNIT_DEPS  := $(UNIT_FAKES) $(UNIT_KLIB) tests/unit/fakes.h

$(B)/tests/unit/obj/um_arch.o: $(B)/obj/arch/um/kernel/um_arch.o
	@mkdir -p $(dir $@)
	objcopy --redefine-sym main=umk_main $< $@
$(UNIT_KLIB): $(filter-out $(B)/obj/arch/um/kernel/um_arch.o,$(KOBJ)) \
		$(B)/tests/unit/obj/um_arch.o
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^
$(UNIT_FAKES): tests/unit/fakes.c tests/unit/fakes.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

UNIT_TESTS :=
-include $(wildcard tests/unit/*.mk)

$(B)/tests/guest/%: tests/guest/%.c tests/guest/guest.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -o $@ $< $(GUEST_LDLIBS)
$(B)/tests/guest/%.pie: tests/guest/%.c tests/guest/guest.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_KIND_CFLAGS) -fPIE -static-pie -o $@ $< $(GUEST_LDLIBS)
$(B)/tests/guest/%.dyn: tests/guest/%.c tests/guest/guest.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_KIND_CFLAGS) -DGUEST_DYNAMIC -fPIE -pie -o $@ $< $(GUEST_LDLIBS)

$(TEST_IMAGE): scripts/mkrootfs.sh tests/tests.mk $(GUEST_BIN) $(TEST_FILES)
	ROOTFS_SIZE=128M scripts/mkrootfs.sh $@ --tests

test-guest: $(GUEST_BIN)
test-image: $(TEST_IMAGE)
test-unit: $(UNIT_TESTS)
test-build: test-guest test-image test-unit

# A build failure does not stop the run: a umk that did not build is removed
# (run.sh then fails every umk test with "umk not built"), and run.sh reports
# the failed builds as failed tests through CHECK_BUILD_STATUS. The Debian
# image (debootstrap, about a minute when not cached) is made meanwhile;
# if it cannot be, the debian tests say why ($(B)/debian-image.log).
check: setup
	@st=0; mkdir -p $(B); \
	$(MAKE) --no-print-directory debian-image > $(B)/debian-image.log 2>&1 & \
	deb=$$!; \
	$(MAKE) --no-print-directory umk || { rm -f umk; st=1; }; \
	$(MAKE) --no-print-directory -k test-build || st=$$((st | 2)); \
	wait $$deb || echo "make check: no Debian image, see $(B)/debian-image.log"; \
	CHECK_BUILD_STATUS=$$st tests/run.sh

.PHONY: test-guest test-image test-unit test-build check

# Debian's strace and gdb inside the guest (tests/ptrace-tools/run.sh) as one
# unit suite: the target program (-g -O0, dynamic: Debian 12's glibc is the
# guest's) and guest.sh go into a small ext2 image, the guest's /dev/ubdb;
# the Debian root is $(B)/debian.img (scripts/mkdebian.sh, needs root).
PT_DIR := $(B)/tests/ptrace-tools

# Built beside its source, which gdb then finds in the guest's cwd (/mnt).
$(PT_DIR)/target: tests/ptrace-tools/target.c
	@mkdir -p $(dir $@)
	cp $< $(PT_DIR)/target.c
	cd $(PT_DIR) && $(CC) -g -O0 -pthread -o target target.c

$(PT_DIR)/guest.sh: tests/ptrace-tools/guest.sh
	@mkdir -p $(dir $@)
	cp $< $@

$(B)/tests/ptrace-tools.img: $(PT_DIR)/target $(PT_DIR)/guest.sh
	rm -f $@
	PATH=$$PATH:/sbin:/usr/sbin mke2fs -q -t ext2 -d $(PT_DIR) $@ 8M

# One suite per mode, so that each boot has the unit runner's whole time
# budget and the modes run side by side (each also checks the native run).
PT_MODES := skas tt seccomp
PT_SUITES := $(PT_MODES:%=$(B)/tests/unit/ptrace_tools_%)

# The Debian root is not a prerequisite: make check builds it beside the
# test build (one mkdebian.sh at a time: two would race on the image), and
# run.sh says so when it is missing.
$(PT_SUITES): $(B)/tests/unit/ptrace_tools_%: tests/ptrace-tools/run.sh \
		$(B)/tests/ptrace-tools.img
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\n# made by tests/unit/ptrace_tools.mk\nB="$${B:-%s}" UMK_MODES=%s exec "%s/tests/ptrace-tools/run.sh" "$$@"\n' \
		"$(abspath $(B))" "$*" "$(CURDIR)" > $@
	chmod +x $@

UNIT_TESTS += $(PT_SUITES)

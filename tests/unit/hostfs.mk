# hostfs's suite (tests/hostfs/run.sh: file operations compared with
# Linux, and escape attempts against a host canary, in every mode) as one
# unit suite. Its two guest programs are built static into
# $(B)/tests/hostfs/ and added to a copy of the test image by run.sh.
HOSTFS_BIN := $(B)/tests/hostfs/hostfs_ops $(B)/tests/hostfs/escape

$(B)/tests/hostfs/%: tests/hostfs/%.c tests/guest/guest.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -o $@ $<

# swapper runs on the host: a plain dynamic program.
$(B)/tests/hostfs/swapper: tests/hostfs/swapper.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -o $@ $<

$(B)/tests/unit/hostfs_suite: tests/hostfs/run.sh tests/hostfs/escape.expected \
		$(HOSTFS_BIN) $(B)/tests/hostfs/swapper
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\n# made by tests/unit/hostfs.mk\nB="$${B:-%s}" exec "%s/tests/hostfs/run.sh" "$$@"\n' \
		"$(abspath $(B))" "$(CURDIR)" > $@
	chmod +x $@

UNIT_TESTS += $(B)/tests/unit/hostfs_suite

# The ubd driver's suite (tests/ubd/run.sh): boots umk on raw images and UML
# COW files, checks them with uml_mkcow, uml_moo, e2fsck and debugfs, and
# runs the fsync crash test. run.sh runs it as unit/ubd_suite through the
# wrapper below; it prints TAP. Needs umk, the test image, uml-utilities.
UBD_WRITER := $(B)/tests/ubd/fsync_writer

$(UBD_WRITER): tests/ubd/fsync_writer.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -static -O2 -Wall -Wextra -o $@ $<

$(B)/tests/unit/ubd_suite: tests/ubd/run.sh $(UBD_WRITER)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\n# made by tests/unit/ubd.mk\nB="$${B:-%s}" exec "%s/tests/ubd/run.sh" "$$@"\n' \
		"$(abspath $(B))" "$(CURDIR)" > $@
	chmod +x $@

UNIT_TESTS += $(B)/tests/unit/ubd_suite

# The gdb helpers' suite (tests/gdb/run.sh: gdb in batch mode on a live
# umk, scripts/gdb/umk.py's commands checked) as one unit suite.
$(B)/tests/unit/gdb_suite: tests/gdb/run.sh scripts/gdb/umk.py
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\n# made by tests/unit/gdb.mk\nB="$${B:-%s}" exec "%s/tests/gdb/run.sh" "$$@"\n' \
		"$(abspath $(B))" "$(CURDIR)" > $@
	chmod +x $@

UNIT_TESTS += $(B)/tests/unit/gdb_suite

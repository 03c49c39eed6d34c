# Failed boots touch nothing (tests/boot/run.sh): a missing or broken init,
# truncated and corrupt images, command-line sizes that overflow. run.sh
# runs it as unit/boot_suite through the wrapper below; it prints TAP.
$(B)/tests/unit/boot_suite: tests/boot/run.sh
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\n# made by tests/unit/boot.mk\nB="$${B:-%s}" exec "%s/tests/boot/run.sh" "$$@"\n' \
		"$(abspath $(B))" "$(CURDIR)" > $@
	chmod +x $@

UNIT_TESTS += $(B)/tests/unit/boot_suite

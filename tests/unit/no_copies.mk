# No unit test source defines a function the kernel defines
# (tests/unit/no_copies.sh), run with the unit tests as unit/no_copies.
$(B)/tests/unit/no_copies: tests/unit/no_copies.sh
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\n# made by tests/unit/no_copies.mk\nexec "%s/tests/unit/no_copies.sh" "$$@"\n' \
		"$(CURDIR)" > $@
	chmod +x $@

UNIT_TESTS += $(B)/tests/unit/no_copies

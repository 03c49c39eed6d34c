# The limits suite (tests/limits/run.sh) as one unit suite: its programs
# are static guest programs built into $(B)/tests/limits/; run.sh adds them
# to a copy of the test image and measures the host's side in every mode.
LIM_SRC := $(wildcard tests/limits/*.c)
LIM_BIN := $(LIM_SRC:tests/limits/%.c=$(B)/tests/limits/%)

$(B)/tests/limits/%: tests/limits/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -o $@ $<

$(B)/tests/unit/limits_suite: tests/limits/run.sh $(LIM_BIN)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\n# made by tests/unit/limits.mk\nB="$${B:-%s}" exec "%s/tests/limits/run.sh" "$$@"\n' \
		"$(abspath $(B))" "$(CURDIR)" > $@
	chmod +x $@

UNIT_TESTS += $(B)/tests/unit/limits_suite

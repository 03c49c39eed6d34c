# The escape probes (tests/security/run.sh) as one unit suite: each probe
# is a static guest program built into $(B)/tests/security/; run.sh adds
# them to a copy of the test image and runs them in every mode.
SEC_SRC := $(wildcard tests/security/*.c)
SEC_BIN := $(SEC_SRC:tests/security/%.c=$(B)/tests/security/%)

$(B)/tests/security/%: tests/security/%.c tests/security/probe.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -o $@ $<

$(B)/tests/unit/security_suite: tests/security/run.sh $(SEC_BIN) \
		$(wildcard tests/security/*.expected)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\n# made by tests/unit/security.mk\nB="$${B:-%s}" exec "%s/tests/security/run.sh" "$$@"\n' \
		"$(abspath $(B))" "$(CURDIR)" > $@
	chmod +x $@

UNIT_TESTS += $(B)/tests/unit/security_suite

# The management console's suite (tests/mconsole/run.sh: Debian's
# uml_mconsole against a running umk, in every mode) as one unit suite.
# mc_raw sends the malformed datagrams uml_mconsole cannot.
MC_RAW := $(B)/tests/mconsole/mc_raw

$(MC_RAW): tests/mconsole/mc_raw.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -o $@ $<

$(B)/tests/unit/mconsole_suite: tests/mconsole/run.sh $(MC_RAW)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\n# made by tests/unit/mconsole.mk\nB="$${B:-%s}" exec "%s/tests/mconsole/run.sh" "$$@"\n' \
		"$(abspath $(B))" "$(CURDIR)" > $@
	chmod +x $@

UNIT_TESTS += $(B)/tests/unit/mconsole_suite

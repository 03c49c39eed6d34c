# The fuzzers (tests/fuzz/run.sh) against the sanitizer build umk-san.
#   make check   runs a short round of our own fuzzer (sysfuzz) in every
#                mode as unit/fuzz_suite (FUZZ_SECONDS, 40 s a mode)
#   make fuzz    installs trinity, then runs sysfuzz and trinity for
#                FUZZ_SECONDS (1800) a mode each
FUZZ_BINS := $(B)/tests/fuzz/sysfuzz $(B)/tests/fuzz/runas
FUZZ_DEBS := trinity

$(B)/tests/fuzz/%: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -static -O2 -g -Wall -Wextra -Wno-unused-parameter \
		-D_GNU_SOURCE -o $@ $<

# Depends on `sanitize` (phony): umk-san is brought up to date with the
# other test programs.
$(B)/tests/unit/fuzz_suite: tests/fuzz/run.sh $(FUZZ_BINS) sanitize
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\n# made by tests/unit/fuzz.mk\nB="$${B:-%s}" exec "%s/tests/fuzz/run.sh" --short "$$@"\n' \
		"$(abspath $(B))" "$(CURDIR)" > $@
	chmod +x $@

UNIT_TESTS += $(B)/tests/unit/fuzz_suite

fuzz: setup
	@scripts/setup.sh $(FUZZ_DEBS)
	@$(MAKE) --no-print-directory sanitize $(FUZZ_BINS) test-image
	tests/fuzz/run.sh

.PHONY: fuzz

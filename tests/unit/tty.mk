# The console's terminal tests (tests/tty/run.sh: tmux drives umk's
# console in each mode) as one unit suite, so `make check` and run.sh run
# them: run.sh runs every executable in $(B)/tests/unit/ and renumbers its
# TAP lines. They need ./umk, the guest programs ttyjob and segv, and
# tests/tty/nap (a foreground job that says where it is).
TTY_NAP := $(B)/tests/tty/nap

$(TTY_NAP): tests/tty/nap.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -static -O2 -Wall -Wextra -o $@ $<

$(B)/tests/unit/tty_suite: tests/tty/run.sh $(B)/tests/guest/ttyjob $(B)/tests/guest/segv $(TTY_NAP)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\n# made by tests/unit/tty.mk\nB="$${B:-%s}" exec "%s/tests/tty/run.sh" "$$@"\n' \
		"$(abspath $(B))" "$(CURDIR)" > $@
	chmod +x $@

UNIT_TESTS += $(B)/tests/unit/tty_suite

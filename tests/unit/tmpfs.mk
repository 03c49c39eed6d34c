# Host-side unit tests of umk's in-memory filesystems, run by the unit test
# harness from build/tests/unit/ (TAP on stdout):
#   tmpfs_test  tmpfs, devtmpfs, the device registry, the mem devices
#   proc_test   procfs on a task list of its own
# Both link the whole real kernel (tests/tests.mk: UNIT_LINK).
$(B)/tests/unit/tmpfs_test: tests/unit/tmpfs_test.c $(UNIT_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(UNIT_LINK)

$(B)/tests/unit/proc_test: tests/unit/proc_test.c $(UNIT_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(UNIT_LINK)

UNIT_TESTS += $(B)/tests/unit/tmpfs_test $(B)/tests/unit/proc_test

# Host-side unit test of ubd and ext2/3/4 (tests/unit/ext2_test.c), linked
# with the whole real kernel (tests/tests.mk: UNIT_LINK). Needs e2fsprogs
# (mke2fs, e2fsck, debugfs). TAP on stdout.
$(B)/tests/unit/ext2_test: tests/unit/ext2_test.c $(UNIT_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(UNIT_LINK)

UNIT_TESTS += $(B)/tests/unit/ext2_test

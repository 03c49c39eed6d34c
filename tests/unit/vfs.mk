# Host-side unit test of the VFS core (kernel/fs/ namei, dcache, mounts,
# open, stat, attr, readdir, fcntl...) on tmpfs, through the sys_* handlers,
# linked with the whole real kernel (tests/tests.mk: UNIT_LINK). TAP.
$(B)/tests/unit/vfs_test: tests/unit/vfs_test.c $(UNIT_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(UNIT_LINK)

UNIT_TESTS += $(B)/tests/unit/vfs_test

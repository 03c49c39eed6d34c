# Host-side unit test of the VFS core (kernel/fs/ namei, dcache, mounts,
# open, stat, attr, readdir, fcntl...) on tmpfs, with the kernel around it
# faked in tests/unit/vfs_stubs.c. TAP on stdout.
VFS_TEST_OBJS := $(patsubst %,$(B)/obj/kernel/fs/%.o,inode dcache namei \
	namespace open stat attr readdir filesystems fcntl ioctl statfs sync \
	tmpfs file_table xattr posix_acl simple_xattr)

$(B)/tests/unit/vfs_test: tests/unit/vfs_test.c tests/unit/vfs_stubs.c \
		tests/unit/vfs_stubs.h $(VFS_TEST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< tests/unit/vfs_stubs.c $(VFS_TEST_OBJS)

UNIT_TESTS += $(B)/tests/unit/vfs_test

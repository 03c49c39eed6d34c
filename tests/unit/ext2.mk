# Host-side unit test of ubd and ext2/3/4 (tests/unit/ext2_test.c): the ubd
# and ext2 objects and the host file primitives, with the VFS faked inside
# the test. Needs e2fsprogs (mke2fs, e2fsck, debugfs). TAP on stdout.
EXT2_TEST_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(wildcard kernel/fs/ext2/*.c) \
	$(wildcard ubd/*.c)) $(B)/obj/arch/um/os-Linux/file.o

$(B)/tests/unit/ext2_test: tests/unit/ext2_test.c $(EXT2_TEST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(EXT2_TEST_OBJS) -lext2fs -lcom_err

UNIT_TESTS += $(B)/tests/unit/ext2_test

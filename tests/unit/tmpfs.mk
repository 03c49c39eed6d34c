# Host-side unit tests of umk's in-memory filesystems, run by the unit test
# harness from build/tests/unit/ (TAP on stdout):
#   tmpfs_test  tmpfs, devtmpfs, the device registry, the mem devices
#   proc_test   procfs on a fake task list
# Both link the kernel objects with the fakes of tests/unit/fs_fakes.c.
TMPFS_TEST_OBJS := $(B)/obj/kernel/fs/tmpfs.o $(B)/obj/kernel/fs/devfs.o \
	$(B)/obj/kernel/fs/simple_xattr.o \
	$(B)/obj/kernel/drivers/devices.o $(B)/obj/kernel/drivers/mem.o
PROC_TEST_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(wildcard kernel/fs/proc/*.c)) \
	$(B)/obj/kernel/fs/tmpfs.o $(B)/obj/kernel/drivers/devices.o \
	$(B)/obj/kernel/fs/simple_xattr.o $(B)/obj/kernel/ipc/limits.o
FS_FAKES := tests/unit/fs_fakes.c tests/unit/fs_fakes.h

$(B)/tests/unit/tmpfs_test: tests/unit/tmpfs_test.c $(FS_FAKES) \
		tests/unit/mm_fakes.c $(TMPFS_TEST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< tests/unit/fs_fakes.c tests/unit/mm_fakes.c \
		$(TMPFS_TEST_OBJS)

$(B)/tests/unit/proc_test: tests/unit/proc_test.c $(FS_FAKES) \
		tests/unit/ipc_fakes.c tests/unit/mode_fakes.c $(PROC_TEST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< tests/unit/fs_fakes.c tests/unit/ipc_fakes.c \
		tests/unit/mode_fakes.c $(PROC_TEST_OBJS)

UNIT_TESTS += $(B)/tests/unit/tmpfs_test $(B)/tests/unit/proc_test

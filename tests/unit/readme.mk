# The README's system call table must match include/umk/syscall_list.h:
# a one-test TAP script run with the unit tests.
UNIT_TESTS += $(B)/tests/unit/readme_syscalls

$(B)/tests/unit/readme_syscalls: tests/unit/readme_syscalls.sh
	@mkdir -p $(dir $@)
	cp $< $@
	chmod +x $@

/*
 * umk's own boot command line ("ubd0=root.img mem=256M ..."), as the kernel
 * parsed it, for /proc/cmdline. Defined by the boot code (the lead's
 * arch/um/kernel), NUL-terminated, without a trailing newline.
 */
#ifndef UMK_FS_PROC_SAVED_CMDLINE_H
#define UMK_FS_PROC_SAVED_CMDLINE_H

extern char saved_command_line[];

#endif

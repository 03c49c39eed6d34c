/*
 * What vfs_stubs.c tells vfs_test: how often the VFS complained about busy
 * inodes or unbalanced dput (each is a reference leak or double put).
 */
#ifndef UMK_TESTS_VFS_STUBS_H
#define UMK_TESTS_VFS_STUBS_H

extern int busy_complaints;

#endif

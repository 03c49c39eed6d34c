/*
 * Memory size of the guest (mem=), for sysinfo, /proc/meminfo and the block
 * cache bound. Bytes.
 */
#ifndef UMK_MM_H
#define UMK_MM_H
#include <stdint.h>
extern uint64_t totalram_bytes;
/* Bytes of guest memory in use now (sum of the guest processes' RSS, read
 * from the host's accounting), for free and /proc/meminfo. */
uint64_t guest_ram_used(void);
#endif

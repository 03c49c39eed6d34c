/*
 * Kernel heap: kmalloc/kzalloc/kfree on the host's malloc. The kernel thread
 * is the only user, so no locking beyond libc's own.
 */
#include <umk/kernel.h>
#include <stdlib.h>
#include <string.h>

void *kmalloc(size_t size) { return malloc(size ? size : 1); }
void *kzalloc(size_t size) { return calloc(1, size ? size : 1); }
void kfree(const void *p) { free((void *)p); }
char *kstrdup(const char *s) { return s ? strdup(s) : NULL; }
char *kstrndup(const char *s, size_t n) { return s ? strndup(s, n) : NULL; }
void *krealloc(void *p, size_t size) { return realloc(p, size ? size : 1); }

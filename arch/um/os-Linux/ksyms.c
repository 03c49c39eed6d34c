/*
 * umk's own function symbols, for stack traces (the mconsole's `stack`,
 * sysrq t): read once from the ELF symbol table of /proc/self/exe (umk is
 * built with -g and not stripped), relocated by where this very file's
 * functions were loaded (umk is a PIE). Linux has kallsyms for this.
 */
#include <os.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ksym {
	unsigned long addr, size;	/* run-time address, bytes */
	const char *name;		/* into strtab */
};

static struct ksym *ksyms;
static size_t nr_ksyms;
static char *strtab;
static bool tried;

extern char __executable_start[], etext[];

bool os_text_contains(unsigned long addr)
{
	return addr >= (unsigned long)__executable_start &&
	       addr < (unsigned long)etext;
}

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Read len bytes at off of fd into a fresh buffer, or NULL. */
static void *read_at(int fd, uint64_t off, size_t len)
{
	char *buf = len && len < (64u << 20) ? malloc(len) : NULL;

	if (buf && os_pread(fd, buf, len, off) != (long)len) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

/* The function symbols of the symtab section sh (its strtab: str). */
static void load_symtab(int fd, const Elf64_Shdr *sh, const Elf64_Shdr *str)
{
	Elf64_Sym *syms = read_at(fd, sh->sh_offset, sh->sh_size);
	size_t n = sh->sh_size / sizeof(Elf64_Sym);
	unsigned long bias = 0;

	strtab = read_at(fd, str->sh_offset, str->sh_size);
	ksyms = syms && strtab ? calloc(n, sizeof(*ksyms)) : NULL;
	if (!ksyms)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (syms[i].st_name < str->sh_size &&
		    !strcmp(strtab + syms[i].st_name, "os_text_contains"))
			bias = (unsigned long)os_text_contains - syms[i].st_value;
	for (size_t i = 0; i < n; i++) {
		if (ELF64_ST_TYPE(syms[i].st_info) != STT_FUNC ||
		    !syms[i].st_value || syms[i].st_name >= str->sh_size)
			continue;
		ksyms[nr_ksyms++] = (struct ksym){
			.addr = syms[i].st_value + bias,
			.size = syms[i].st_size,
			.name = strtab + syms[i].st_name,
		};
	}
	qsort(ksyms, nr_ksyms, sizeof(*ksyms), cmp_ksym);
out:
	free(syms);
}

static void load_ksyms(void)
{
	Elf64_Ehdr eh;
	Elf64_Shdr *sh;
	int fd;

	tried = true;
	fd = os_open("/proc/self/exe", O_RDONLY, 0);
	if (fd < 0)
		return;
	if (os_pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_shentsize != sizeof(Elf64_Shdr))
		goto out;
	sh = read_at(fd, eh.e_shoff, (size_t)eh.e_shnum * sizeof(*sh));
	for (int i = 0; sh && i < eh.e_shnum; i++)
		if (sh[i].sh_type == SHT_SYMTAB && sh[i].sh_link < eh.e_shnum) {
			load_symtab(fd, &sh[i], &sh[sh[i].sh_link]);
			break;
		}
	free(sh);
out:
	os_close(fd);
}

const char *os_ksym_lookup(unsigned long addr, unsigned long *off,
			   unsigned long *size)
{
	size_t lo = 0, hi;

	if (!tried)
		load_ksyms();
	hi = nr_ksyms;
	while (lo < hi) {		/* the last symbol at or below addr */
		size_t mid = (lo + hi) / 2;

		if (ksyms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr - ksyms[lo - 1].addr >= ksyms[lo - 1].size)
		return NULL;
	*off = addr - ksyms[lo - 1].addr;
	*size = ksyms[lo - 1].size;
	return ksyms[lo - 1].name;
}

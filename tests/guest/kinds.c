/*
 * kinds: how this program was loaded. tests/tests.mk builds it three ways:
 * static (kinds), static-PIE (kinds.pie), and dynamic against the glibc and
 * ld.so of the image (kinds.dyn; scripts/mkrootfs.sh copies them from the
 * host's libc6 into /lib64 and /lib/x86_64-linux-gnu). Each kind runs
 * natively and inside umk and prints what it found: its ELF type and
 * program headers, the auxiliary vector the loader left (AT_PHDR, AT_ENTRY,
 * AT_BASE, AT_RANDOM, AT_SYSINFO_EHDR, AT_EXECFN...), the objects loaded
 * (dl_iterate_phdr), TLS in two threads, an IFUNC, constructors, dlopen
 * (dynamic only), and #! scripts whose interpreter is this program: argv as
 * the interpreter sees it, a script interpreting a script, a missing
 * interpreter. Prints no addresses.
 */
#include "guest.h"
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <sys/auxv.h>

extern char _start[];

static __thread int tls_value = 42;
static __thread char tls_aligned[64] __attribute__((aligned(64))) = { 7 };
static int constructed;

__attribute__((constructor)) static void construct(void)
{
	constructed = 1;
}

/* An IFUNC: resolved by whoever relocates this object (libc's start for
 * a static program, _dl_relocate_static_pie, ld.so). */
static int seven(void) { return 7; }
static int (*resolve_answer(void))(void) { return seven; }
int answer(void) __attribute__((ifunc("resolve_answer")));

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* ---- the program's own headers and the auxiliary vector ----------------- */

struct main_obj {
	int found;
	ElfW(Addr) bias;
	const ElfW(Phdr) *phdr;
	int phnum;
};

static int find_main(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct main_obj *m = arg;

	if (m->found)
		return 0;
	m->found = 1;		/* the main program comes first */
	m->bias = info->dlpi_addr;
	m->phdr = info->dlpi_phdr;
	m->phnum = info->dlpi_phnum;
	return 0;
}

static int print_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	int *n = arg;

	if ((*n)++ == 0 || !info->dlpi_name[0] ||
	    !strncmp(info->dlpi_name, "linux-vdso", 10))
		return 0;	/* the program itself, the vDSO */
	say("loaded_object: %s", info->dlpi_name);
	return 0;
}

static void test_headers(char *argv0)
{
	struct main_obj m = { 0 };
	const ElfW(Ehdr) *ehdr = NULL, *vdso;
	const char *interp = NULL, *execfn;
	int i, dynamic = 0, tls = 0, n = 0;
	unsigned char *rnd;

	dl_iterate_phdr(find_main, &m);
	for (i = 0; i < m.phnum; i++) {
		const ElfW(Phdr) *p = &m.phdr[i];

		if (p->p_type == PT_INTERP)
			interp = (const char *)(m.bias + p->p_vaddr);
		if (p->p_type == PT_DYNAMIC)
			dynamic = 1;
		if (p->p_type == PT_TLS)
			tls = 1;
		if (p->p_type == PT_LOAD && p->p_offset == 0)
			ehdr = (const ElfW(Ehdr) *)(m.bias + p->p_vaddr);
	}
	say("elf_type: %s", !ehdr ? "?" : ehdr->e_type == ET_EXEC ? "EXEC" :
	    ehdr->e_type == ET_DYN ? "DYN" : "other");
	say("pt_interp: %s", interp ? interp : "none");
	yesno("pt_dynamic", dynamic);
	yesno("pt_tls", tls);
	yesno("load_bias", m.bias != 0);
	yesno("at_phdr_is_ours", getauxval(AT_PHDR) == (unsigned long)m.phdr);
	yesno("at_phnum_is_ours", getauxval(AT_PHNUM) == (unsigned long)m.phnum);
	yesno("at_phent", getauxval(AT_PHENT) == sizeof(ElfW(Phdr)));
	yesno("at_entry_is_start", getauxval(AT_ENTRY) == (unsigned long)_start);
	yesno("at_pagesz_4096", getauxval(AT_PAGESZ) == 4096);
	if (getauxval(AT_BASE)) {
		const ElfW(Ehdr) *ld = (const ElfW(Ehdr) *)getauxval(AT_BASE);

		yesno("at_base_is_an_elf_dso", !memcmp(ld->e_ident, ELFMAG, SELFMAG) &&
		      ld->e_type == ET_DYN);
	} else {
		say("at_base: none");
	}
	rnd = (unsigned char *)getauxval(AT_RANDOM);
	for (i = 0; rnd && i < 16 && !rnd[i]; i++)
		;
	yesno("at_random_16_bytes", rnd && i < 16);
	vdso = (const ElfW(Ehdr) *)getauxval(AT_SYSINFO_EHDR);
	yesno("at_sysinfo_ehdr_is_the_vdso", vdso && !memcmp(vdso->e_ident, ELFMAG, SELFMAG));
	execfn = (const char *)getauxval(AT_EXECFN);
	yesno("at_execfn_is_argv0", execfn && !strcmp(execfn, argv0));
	yesno("at_secure_0", getauxval(AT_SECURE) == 0);
	dl_iterate_phdr(print_object, &n);
}

/* ---- what the loader set up --------------------------------------------- */

static void *tls_thread(void *arg)
{
	int *out = arg;

	out[0] = tls_value;
	out[1] = tls_aligned[0];
	out[2] = ((unsigned long)tls_aligned & 63) == 0;
	tls_value = 1;
	errno = EDOM;
	return NULL;
}

static void test_runtime(void)
{
	int out[3] = { 0, 0, 0 };
	pthread_t t;
	void *libm;

	yesno("constructor_ran", constructed);
	resv("ifunc_answer", answer());
	errno = 0;
	tls_value = 5;
	pthread_create(&t, NULL, tls_thread, out);
	pthread_join(t, NULL);
	say("tls: thread_saw=%d aligned_init=%d aligned=%d main_kept=%d errno_kept=%d",
	    out[0], out[1], out[2], tls_value == 5, errno == 0);
	yesno("main_tls_aligned", ((unsigned long)tls_aligned & 63) == 0);
	yesno("stdio_buffered", snprintf(NULL, 0, "%s-%d", "x", 12) == 4);

#ifdef GUEST_DYNAMIC		/* tests.mk defines it for NAME.dyn */
	libm = dlopen("libm.so.6", RTLD_NOW);
	if (!libm) {
		say("dlopen_libm: failed");
		return;
	}
	{
		double (*cosine)(double) = (double (*)(double))dlsym(libm, "cos");
		int n = 0;

		say("dlopen_libm: cos(0)=%g", cosine ? cosine(0.0) : -1.0);
		dl_iterate_phdr(print_object, &n);
	}
	say("dlclose: %d", dlclose(libm));
#else
	(void)libm;
	say("dlopen: not tried (static)");
#endif
}

/* ---- #! scripts ----------------------------------------------------------- */

#define REPORT_FD 9

/* As a script's interpreter: the basenames of argv to REPORT_FD. */
static int report_argv(int argc, char **argv)
{
	char buf[512];
	int i, n = snprintf(buf, sizeof(buf), "argc=%d", argc);

	for (i = 0; i < argc && n < (int)sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - n, " [%s]",
			      i == 1 || i >= argc - 2 ? argv[i] : base(argv[i]));
	write(REPORT_FD, buf, strlen(buf));
	return 3;
}

static void write_script(const char *path, const char *interp_line)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	write(fd, interp_line, strlen(interp_line));
	write(fd, "\nnot read by anyone\n", 20);
	close(fd);
}

/* Run path "a b" c through execve, print what its interpreter saw. */
static void run_script(const char *name, const char *path)
{
	char buf[512] = "";
	int p[2], st;
	ssize_t n;
	pid_t pid;

	pipe(p);
	pid = fork();
	if (pid == 0) {
		char *args[] = { (char *)path, "a b", "c", NULL };
		char *env[] = { "KINDS=1", NULL };

		close(p[0]);
		dup2(p[1], REPORT_FD);
		execve(path, args, env);
		_exit(errno);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	close(p[0]);
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) != 3 && !buf[0])
		say("%s: execve %s", name, ename(WEXITSTATUS(st)));
	else
		say("%s: %s (%s)", name, buf, wstr(st));
}

static void test_scripts(const char *self)
{
	char line[600];

	snprintf(line, sizeof(line), "#!%s --interp", self);
	write_script("s1", line);
	run_script("script", "./s1");
	snprintf(line, sizeof(line), "#! %s\t--interp  ", self);
	write_script("s1b", line);
	run_script("script_blanks", "./s1b");
	write_script("s2", "#!./s1");
	run_script("script_of_a_script", "./s2");
	write_script("s3", "#!/nonexistent/interpreter");
	run_script("script_missing_interpreter", "./s3");
	write_script("s4", "#!./s4");
	run_script("script_interpreting_itself", "./s4");
}

int main(int argc, char **argv)
{
	const char *dir, *self;

	if (argc > 1 && !strcmp(argv[1], "--interp"))
		return report_argv(argc, argv);
	test_start();
	self = realpath(argv[0], NULL);
	say("kind: %s", strstr(base(argv[0]), ".dyn") ? "dynamic" :
	    strstr(base(argv[0]), ".pie") ? "static-pie" : "static");
	test_headers(argv[0]);
	test_runtime();
	dir = scratch_dir("kinds");
	test_scripts(self);
	scratch_cleanup(dir);
	say("DONE kinds");
	return 0;
}

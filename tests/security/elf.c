/*
 * Hostile ELF headers, written into the guest's /tmp and exec'd in a
 * child: segments over the stub or past the top of user space, sizes that
 * overflow, too many program headers, an interpreter path naming a host
 * file, an interpreter path without its NUL. Each exec fails with Linux's
 * errno and never loads anything from the host.
 */
#include "probe.h"
#include <elf.h>

struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	char tail[512];
};

static void base(struct image *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = 0x400000;
	im->eh.e_phoff = offsetof(struct image, ph);
	im->eh.e_ehsize = sizeof(Elf64_Ehdr);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = 1;
	im->ph[0].p_type = PT_LOAD;
	im->ph[0].p_flags = PF_R | PF_X;
	im->ph[0].p_vaddr = 0x400000;
	im->ph[0].p_filesz = sizeof(*im);
	im->ph[0].p_memsz = sizeof(*im);
	im->ph[0].p_align = 4096;
}

/* Write im to /tmp/hostile and exec it in a child: how the exec ended. */
static const char *try_exec(const struct image *im)
{
	static char out[64];
	int st, p[2];
	pid_t pid;
	int fd = open("/tmp/hostile", O_WRONLY | O_CREAT | O_TRUNC, 0755);

	if (fd < 0 || write(fd, im, sizeof(*im)) != sizeof(*im))
		return "cannot write";
	close(fd);
	if (pipe(p) < 0)
		return "no pipe";
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "/tmp/hostile", NULL };
		int e;

		execv(argv[0], argv);
		e = errno;
		if (write(p[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	waitpid(pid, &st, 0);
	{
		int e = 0;

		if (read(p[0], &e, sizeof(e)) == sizeof(e))
			snprintf(out, sizeof(out), "%s", err_name(e));
		else if (WIFSIGNALED(st))
			snprintf(out, sizeof(out), "ran, then %s",
				 sigabbrev_np(WTERMSIG(st)));
		else
			snprintf(out, sizeof(out), "ran, exit %d",
				 WEXITSTATUS(st));
	}
	close(p[0]);
	return out;
}

int main(int argc, char **argv)
{
	struct image im;

	canary_init(argc, argv);
	base(&im);
	im.ph[0].p_vaddr = STUB_START;
	im.eh.e_entry = STUB_START;
	say("segment_on_stub: %s", try_exec(&im));
	base(&im);
	im.ph[0].p_vaddr = 0x7ffffffff000UL;
	say("segment_past_top: %s", try_exec(&im));
	base(&im);
	im.ph[0].p_memsz = ~0UL - 0x1000;
	say("memsz_overflow: %s", try_exec(&im));
	base(&im);
	im.eh.e_phnum = 0xffff;
	say("phnum_huge: %s", try_exec(&im));
	base(&im);
	im.eh.e_phoff = ~0UL - 8;
	say("phoff_wild: %s", try_exec(&im));
	base(&im);
	im.eh.e_phnum = 2;
	im.ph[1].p_type = PT_INTERP;
	im.ph[1].p_offset = offsetof(struct image, tail);
	snprintf(im.tail, sizeof(im.tail), "%s", canary_secret);
	im.ph[1].p_filesz = strlen(im.tail) + 1;
	say("interp_host_path: %s", try_exec(&im));
	im.ph[1].p_filesz = strlen(im.tail);	/* no NUL */
	say("interp_no_nul: %s", try_exec(&im));
	say("DONE elf");
	return 0;
}

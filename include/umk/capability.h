/*
 * Capabilities of the guest credentials (kernel/capability.c); the sets
 * live in struct cred (umk/sched.h). Semantics: capabilities(7), Linux
 * security/commoncap.c.
 */
#ifndef UMK_CAPABILITY_H
#define UMK_CAPABILITY_H

#include <umk/sched.h>

/* The capabilities umk's checks name (linux/capability.h numbers);
 * CAP_SETPCAP, CAP_SYS_ADMIN and CAP_LAST_CAP are in umk/sched.h. */
#define CAP_SETGID		6
#define CAP_SETUID		7
#define CAP_SYS_BOOT		22
#define CAP_SYS_NICE		23
#define CAP_SYS_RESOURCE	24

/* new replaces old after a change of user ids (setuid family, setfsuid):
 * adjust new's sets as Linux cap_emulate_setxuid and the fsuid rule. */
void cap_fix_setuid(struct cred *new, const struct cred *old);
/* execve of a program (umk has no file capabilities, no set-id files):
 * root gets its bounding set, others their ambient set; saved and fs
 * ids follow the effective ones; keep_caps ends. */
void cap_bprm_apply(struct cred *new);
/* execve's credentials for the current task, installed (exec.c). */
void exec_creds(void);
/* prctl's capability and privilege options (PR_CAPBSET_READ/DROP,
 * PR_CAP_AMBIENT, PR_[GS]ET_KEEPCAPS, PR_[GS]ET_NO_NEW_PRIVS): the result
 * or -EINVAL, -EPERM, -ENOMEM; -EINVAL for other options. */
long cap_prctl(int option, unsigned long a2, unsigned long a3,
	       unsigned long a4, unsigned long a5);

#endif

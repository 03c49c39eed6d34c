/*
 * segv: dies of SIGSEGV on a null write and prints nothing. A helper for the
 * harness: the shell must report its status as 139 (128 + SIGSEGV).
 */
int main(void)
{
	*(volatile int *)0 = 1;
	return 0;
}

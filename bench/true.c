/*
 * true: the smallest static program, exec'd by "micro exec" so that the
 * fork+exec+wait benchmark measures exec itself, not the program.
 */
int main(void)
{
	return 0;
}

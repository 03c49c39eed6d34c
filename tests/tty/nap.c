/*
 * nap: a foreground job for the terminal tests (tests/tty/run.sh) that says
 * where it is, so the test waits for what happened instead of for a time.
 *     nap [SECONDS [LABEL]]
 * Prints "nap LABEL: start" once running (it is then the terminal's
 * foreground job), "nap LABEL: continued" when SIGCONT reaches it (after fg
 * or bg), and otherwise waits for a signal: ^C (SIGINT) ends it, ^Z
 * (SIGTSTP) stops it. SECONDS is only shown in `jobs`, as sleep's would be:
 * nap never ends by itself (the test ends its session).
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

static const char *label = "";

static void say(const char *what)
{
	char line[128];
	size_t n = 0, len;

	len = strlen(label);
	memcpy(line, "nap", 3);
	n = 3;
	if (len && len < 64) {
		line[n++] = ' ';
		memcpy(line + n, label, len);
		n += len;
	}
	line[n++] = ':';
	line[n++] = ' ';
	len = strlen(what);
	memcpy(line + n, what, len);
	n += len;
	line[n++] = '\n';
	write(1, line, n);
}

static void on_cont(int sig)
{
	(void)sig;
	say("continued");
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_cont, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGCONT, &sa, NULL);
	if (argc > 2)
		label = argv[2];
	say("start");
	for (;;)
		pause();
}

/* A process that hides behind its name: sets its own name (comm) with
 * prctl(PR_SET_NAME), prints "ready", and sleeps until killed, or 60 s at
 * most, so a test that dies cannot leave it behind.
 *
 *   namedproc NAME [ARG...]
 *
 * NAME is bytes written with C escapes (\n \t \r \e \\ \xHH \NNN), or
 * "hex:" and pairs of hex digits; 1 to 15 bytes once decoded (the kernel
 * keeps 15). Further arguments are ignored: they are there to put bytes
 * in /proc/PID/cmdline. Exit 2 on a bad NAME, 3 if the kernel did not
 * take it as given. */

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s into out (at most max bytes); the length, or -1. */
static int decode(const char *s, char *out, int max)
{
	int n = 0;

	if (!strncmp(s, "hex:", 4)) {
		for (s += 4; *s; s += 2) {
			if (hexval(s[0]) < 0 || hexval(s[1]) < 0 || n == max)
				return -1;
			out[n++] = (char)(hexval(s[0]) << 4 | hexval(s[1]));
		}
		return n;
	}
	while (*s) {
		int c = (unsigned char)*s++;
		if (c == '\\') {
			c = (unsigned char)*s++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'e': c = 0x1b; break;
			case '\\': break;
			case 'x':
				if (hexval(s[0]) < 0)
					return -1;
				c = hexval(*s++);
				if (hexval(s[0]) >= 0)
					c = c << 4 | hexval(*s++);
				break;
			default:
				if (c < '0' || c > '7')
					return -1;
				c -= '0';
				for (int k = 0; k < 2 && *s >= '0' && *s <= '7'; k++)
					c = c << 3 | (*s++ - '0');
				if (c > 0xff)
					return -1;
			}
		}
		if (c == 0 || n == max)
			return -1;
		out[n++] = (char)c;
	}
	return n;
}

int main(int argc, char **argv)
{
	char name[16] = {0}, got[17] = {0};

	if (argc < 2) {
		fprintf(stderr, "usage: namedproc NAME [ARG...]\n");
		return 2;
	}
	int n = decode(argv[1], name, 15);
	if (n < 1) {
		fprintf(stderr, "namedproc: NAME must decode to 1..15 bytes, no NUL\n");
		return 2;
	}
	/* Gone with the test that started it, even if it is killed. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return 0;
	if (prctl(PR_SET_NAME, name) < 0 || prctl(PR_GET_NAME, got) < 0 || memcmp(got, name, 16)) {
		fprintf(stderr, "namedproc: the kernel did not take the name\n");
		return 3;
	}
	printf("ready\n");
	fflush(stdout);
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		sleep(1);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 60);
	return 0;
}

/* Live processes that name themselves to hide or to paint the terminal
 * (tests/helpers/namedproc: prctl(PR_SET_NAME)), seen through the built
 * binary: `check -p PID` must find each one, print its name escaped and
 * inert, and give it back exactly in JSON. Needs no root. Runs the
 * sanitizer build (KSTALL_BIN overrides). */
#include "clirun.h"
#include "render/render.h"

#include <poll.h>

#define HELPER "build/tests/helpers/namedproc"

static char tmpl[] = "/tmp/kstall-test-names-XXXXXX";
static pid_t helper = -1; /* killed and reaped by teardown, whatever happened */

static struct res run_argv(double timeout_s, char *const args[])
{
	return kstall_run(&(struct run_opts){.dir = tmpl, .timeout_s = timeout_s}, args);
}

/* Printable ASCII and newlines as they are, a backslash doubled, anything
 * else \xNN: for failure messages that must not paint the test's own
 * terminal. */
static char *vis(const char *s)
{
	struct buf b = {0};
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == '\\')
			buf_append(&b, "\\\\", 2);
		else if (*p >= 0x20 && *p < 0x7f)
			buf_append(&b, p, 1);
		else if (*p == '\n')
			buf_append(&b, "\n", 1);
		else
			buf_printf(&b, "\\x%02x", *p);
	buf_reserve(&b, 0);
	return b.data;
}

/* Offset of the first byte a terminal could act on (ESC and other C0
 * but newline, DEL, invalid UTF-8 such as a raw 0x9b, C1 as UTF-8, bidi
 * and separator code points), or -1. */
static long first_unsafe(const char *s)
{
	for (size_t i = 0; s[i];) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, &cp);
		if (n == 0 || (cp < 0x20 && cp != '\n') || cp == 0x7f || codepoint_unsafe(cp))
			return (long)i;
		i += n;
	}
	return -1;
}

/* Start namedproc with NAME given escaped (argv[1]) and raw (argv[2], so
 * that its cmdline holds the bytes too); wait for "ready". */
static void start_helper(const char *escaped, const char *raw)
{
	int p[2];
	assert_int_equal(access(HELPER, X_OK), 0);
	assert_int_equal(pipe(p), 0);
	helper = fork();
	assert_true(helper >= 0);
	if (helper == 0) {
		close(p[0]);
		dup2(p[1], 1);
		execl(HELPER, HELPER, escaped, raw, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char line[16] = {0};
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	ssize_t n = poll(&pf, 1, 10000) == 1 ? read(p[0], line, sizeof(line) - 1) : -1;
	close(p[0]);
	if (n < 0 || strcmp(line, "ready\n"))
		fail_msg("namedproc did not start");
	/* The kernel holds the name as given: comm is it and one newline. */
	_cleanup_free_ char *path = xasprintf("/proc/%d/comm", helper), *comm = slurp(path, NULL);
	_cleanup_free_ char *want = xasprintf("%s\n", raw);
	assert_non_null(comm);
	assert_string_equal(comm, want);
}

static int setup(void **state UNUSED)
{
	return mkdtemp(tmpl) ? 0 : -1;
}

static int teardown(void **state UNUSED)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpl);
	return system(cmd) == 0 ? 0 : -1;
}

static int kill_helper(void **state UNUSED)
{
	if (helper > 0) {
		kill(helper, SIGKILL);
		waitpid(helper, NULL, 0);
	}
	helper = -1;
	return 0;
}

/* The whole check, text and JSON, for one name. want_tty is the name as
 * the text output must show it. */
static void check_name(const char *escaped, const char *raw, const char *want_tty)
{
	start_helper(escaped, raw);
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", helper);

	struct res t = run_argv(60, (char *const[]){"check", "-p", pid, "--interval", "0.1", NULL});
	_cleanup_free_ char *tout = vis(t.out), *terr = vis(t.err);
	if (t.status != 0)
		fail_msg("check exited %d; stderr:\n%s", t.status, terr);
	if (strstr(t.out, "no such process"))
		fail_msg("the process hid:\n%s", tout);
	long at = first_unsafe(t.out);
	if (at >= 0)
		fail_msg("raw byte 0x%02x at %ld of the text output:\n%s", (unsigned char)t.out[at], at, tout);
	at = first_unsafe(t.err);
	if (at >= 0)
		fail_msg("raw byte 0x%02x at %ld of stderr:\n%s", (unsigned char)t.err[at], at, terr);
	/* its heading, on one line, with the name escaped */
	_cleanup_free_ char *head = xasprintf("\nprocess %s (%s)  state ", pid, want_tty);
	if (!strstr(t.out, head)) {
		_cleanup_free_ char *vhead = vis(head + 1);
		fail_msg("no line \"%s\" in:\n%s", vhead, tout);
	}
	/* and its cmdline, which holds the raw bytes too */
	_cleanup_free_ char *cmdline = xasprintf(" %s\n", want_tty);
	_cleanup_free_ char *cl_line = NULL;
	const char *cl = strstr(t.out, "\n  cmdline  ");
	assert_non_null(cl);
	cl_line = xstrndup(cl + 1, strcspn(cl + 1, "\n") + 1);
	if (!strstr(cl_line, cmdline))
		fail_msg("cmdline line without the escaped name: %s", tout);
	res_free(&t);

	struct res j = run_argv(60, (char *const[]){"check", "-p", pid, "--interval", "0.1", "--format", "json", NULL});
	_cleanup_free_ char *jerr = vis(j.err);
	if (j.status != 0)
		fail_msg("check --format json exited %d; stderr:\n%s", j.status, jerr);
	at = first_unsafe(j.out);
	if (at >= 0) {
		_cleanup_free_ char *jout = vis(j.out);
		fail_msg("raw byte 0x%02x at %ld of the JSON output:\n%s", (unsigned char)j.out[at], at, jout);
	}
	json_object *o = json_tokener_parse(j.out);
	if (!o)
		fail_msg("not one JSON document; stderr: %s", jerr);
	json_object *p = json_object_array_get_idx(json_object_object_get(o, "processes"), 0);
	assert_non_null(p);
	assert_int_equal(json_object_get_int(json_object_object_get(p, "pid")), helper);
	assert_null(json_object_object_get(p, "error"));
	assert_string_equal(json_object_get_string(json_object_object_get(p, "comm")), raw);
	_cleanup_free_ char *want_cl = xasprintf("%s %s %s", HELPER, escaped, raw);
	assert_string_equal(json_object_get_string(json_object_object_get(p, "cmdline")), want_cl);
	json_object_put(o);
	res_free(&j);
}

/* An 8-bit CSI (U+009B as UTF-8) and "31m": red, on a terminal that
 * takes C1 controls. */
static void test_c1_csi(void **state UNUSED)
{
	check_name("\\xc2\\x9b" "31m", "\xc2\x9b" "31m", "\\u009b31m");
}

/* RIGHT-TO-LEFT OVERRIDE: "exe.gnp" would read "png.exe" backwards. */
static void test_bidi_override(void **state UNUSED)
{
	check_name("\\xe2\\x80\\xae" "exe.gnp", "\xe2\x80\xae" "exe.gnp", "\\u202eexe.gnp");
}

/* A newline and ')' with fake fields: stat's first line ends inside the
 * name, and so did the parser. */
static void test_newline_and_paren(void **state UNUSED)
{
	check_name("x\\n) R 1 2 3", "x\n) R 1 2 3", "x\\x0a) R 1 2 3");
}

/* ESC [ 2 J: clear the screen; then a typed "\x1b", which must not read
 * as a second ESC. */
static void test_esc_clear_screen(void **state UNUSED)
{
	check_name("\\e[2J\\\\x1b", "\x1b[2J\\x1b", "\\x1b[2J\\\\x1b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_c1_csi, kill_helper),
		cmocka_unit_test_teardown(test_bidi_override, kill_helper),
		cmocka_unit_test_teardown(test_newline_and_paren, kill_helper),
		cmocka_unit_test_teardown(test_esc_clear_screen, kill_helper),
	};
	return cmocka_run_group_tests_name("hostile_names", tests, setup, teardown);
}

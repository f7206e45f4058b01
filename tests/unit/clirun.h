/* Running the built binary end to end, for the CLI suites: the sanitizer
 * build (KSTALL_BIN overrides), stdout and stderr to files, a timeout, and
 * optionally a signal part way, an unprivileged identity, the child's peak
 * memory. */
#ifndef KSTALL_CLIRUN_H
#define KSTALL_CLIRUN_H

#include "testutil.h"

#include <grp.h>
#include <json-c/json.h>
#include <sys/resource.h>

#define NOBODY 65534

struct res {
	int status; /* exit code, or 128+signal, or -1 on timeout */
	char *out, *err;
	double secs;
	long maxrss_kb; /* the child's peak resident memory */
};

struct run_opts {
	const char *dir;         /* where stdout and stderr are kept */
	double timeout_s;        /* killed (status -1) after this */
	const char *stdout_path; /* stdout there instead (res.out is then "") */
	uid_t uid;               /* as this user and group (when the test is root), e.g. NOBODY */
	double signal_after_s;   /* send signal this long after the start */
	int signal;
	long fsize_limit;        /* RLIMIT_FSIZE in bytes (SIGXFSZ ignored): writes past it fail;
				  * stdout then goes through a pipe, which the limit does not
				  * cut, so that res.out holds all of it */
};

static inline const char *kstall_bin(void)
{
	const char *b = getenv("KSTALL_BIN");
	return b ? b : "build/kstall-asan";
}

static inline struct res kstall_run(const struct run_opts *o, char *const args[])
{
	struct res r = {0};
	_cleanup_free_ char *op = xasprintf("%s/stdout", o->dir), *ep = xasprintf("%s/stderr", o->dir);
	const char *out = o->stdout_path ? o->stdout_path : op;
	double t0 = now_monotonic();
	bool signalled = false;
	int pfd[2] = {-1, -1};
	struct buf piped = {0};
	if (o->fsize_limit > 0)
		assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fo = pfd[1] >= 0 ? pfd[1] : open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(ep, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fo, 1);
		dup2(fe, 2);
		/* Freed memory stays in ASan's quarantine (256 MB by default):
		 * keep it small, so that peak memory measures kstall. */
		const char *ao = getenv("ASAN_OPTIONS");
		char *opts = xasprintf("%s%squarantine_size_mb=8", ao ? ao : "", ao ? ":" : "");
		setenv("ASAN_OPTIONS", opts, 1);
		if (o->fsize_limit > 0) {
			signal(SIGXFSZ, SIG_IGN);
			setrlimit(RLIMIT_FSIZE, &(struct rlimit){(rlim_t)o->fsize_limit, (rlim_t)o->fsize_limit});
		}
		if (o->uid && geteuid() == 0 &&
		    (setgroups(0, NULL) < 0 || setresgid(o->uid, o->uid, o->uid) < 0 ||
		     setresuid(o->uid, o->uid, o->uid) < 0))
			_exit(126);
		char *argv[48] = {(char *)kstall_bin()};
		for (int i = 0; args[i] && i < 46; i++)
			argv[i + 1] = args[i];
		execv(kstall_bin(), argv);
		_exit(127);
	}
	int st;
	struct rusage ru = {0};
	if (pfd[1] >= 0) {
		close(pfd[1]);
		fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	}
	for (;;) {
		if (pfd[0] >= 0)
			drain_fd(pfd[0], &piped);
		pid_t w = wait4(pid, &st, WNOHANG, &ru);
		if (w == pid)
			break;
		double now = now_monotonic() - t0;
		if (o->signal && !signalled && now >= o->signal_after_s) {
			kill(pid, o->signal);
			signalled = true;
		}
		if (now > (o->timeout_s > 0 ? o->timeout_s : 30)) {
			kill(pid, SIGKILL);
			wait4(pid, &st, 0, &ru);
			r.status = -1;
			break;
		}
		usleep(2000);
	}
	r.secs = now_monotonic() - t0;
	r.maxrss_kb = ru.ru_maxrss;
	if (r.status != -1)
		r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (pfd[0] >= 0) {
		fcntl(pfd[0], F_SETFL, 0); /* the rest, to the end */
		drain_fd(pfd[0], &piped);
		close(pfd[0]);
		buf_reserve(&piped, 0);
		r.out = piped.data;
	} else {
		r.out = o->stdout_path ? xstrdup("") : slurp(out, NULL);
	}
	r.err = slurp(ep, NULL);
	assert_non_null(r.out);
	assert_non_null(r.err);
	/* A sanitizer's exit code (1) would pass for kstall's own. */
	if (strstr(r.err, "Sanitizer") || strstr(r.err, "runtime error"))
		fail_msg("sanitizer report:\n%s", r.err);
	return r;
}

static inline void res_free(struct res *r)
{
	free(r->out);
	free(r->err);
}

static inline json_object *parse_json(const struct res *r)
{
	json_object *o = json_tokener_parse(r->out);
	if (!o)
		fail_msg("not one JSON document; stderr: %s", r->err);
	return o;
}

/* "a.b.0.c": keys and array indexes. */
static inline json_object *jget(json_object *o, const char *path)
{
	_cleanup_free_ char *p = xstrdup(path);
	char *save = NULL;
	for (char *tok = strtok_r(p, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save))
		o = json_object_is_type(o, json_type_array) ? json_object_array_get_idx(o, (size_t)atoi(tok))
							     : json_object_object_get(o, tok);
	return o;
}

#endif

/* One entry point per verb, cmd_<verb>(struct check_opts *), called by
 * the dispatcher (main.c) with the verb's options parsed. */
#ifndef KSTALL_CMD_H
#define KSTALL_CMD_H

#include "../collect/collect.h"
#include "../render/render.h"
#include "options.h"

enum {
	EXIT_RAN = 0,
	EXIT_CANNOT_RUN = 1,
	EXIT_USAGE = 2,
	EXIT_FAIL_ON = 3,
};

/* VERB_DEFAULT: plain `kstall`, with no command. */
enum verb { VERB_CHECK, VERB_SNAPSHOT, VERB_WATCH, VERB_RECORD, VERB_REPORT, VERB_EXPLAIN, VERB_DEFAULT };

/* What a verb does and needs. The dispatcher (main.c) acts on them, so
 * that no verb repeats it: it parses the verb's options, then
 *   CMD_READS_ROOT  the verb takes --root DIR (default "/", the live
 *                   host): o->live says whether it reads the live host;
 *                   without the flag it always does;
 *   CMD_TRACES      the verb traces with eBPF when it reads the live host:
 *                   o->no_trace says why tracing cannot run here (root,
 *                   kernel BTF), NULL when it can;
 *   CMD_NEEDS_ROOT  with CMD_TRACES: the verb cannot run without tracing,
 *                   so where it cannot (first of all without root) it is
 *                   refused, exit 1, "kstall: cannot <refused>: <why>",
 *                   before it opens or creates anything;
 * then runs it, and turns a failed write of stdout into exit 1.
 *
 * Adding a verb: its file src/cmd/<verb>.c with cmd_<verb>(); a VERB_*
 * value and its option table in check_opts.c; a row in main.c's table
 * with its flags; README's Commands section. */
enum cmd_flag {
	CMD_READS_ROOT = 1 << 0,
	CMD_TRACES = 1 << 1,
	CMD_NEEDS_ROOT = 1 << 2,
};

struct check_opts;

struct cmd {
	const char *name;    /* as typed after kstall ("" for plain kstall) */
	enum verb verb;      /* its option table */
	unsigned flags;      /* enum cmd_flag */
	int (*run)(struct check_opts *o);
	const char *refused; /* CMD_NEEDS_ROOT: what it says it cannot do */
	const char *help;    /* its line in kstall --help */
};

/* Each verb, with its options parsed and its flags acted on; returns the
 * exit code. */
int cmd_check(struct check_opts *o);    /* check.c */
int cmd_snapshot(struct check_opts *o); /* snapshot.c */
int cmd_explain(struct check_opts *o);  /* explain.c */
int cmd_watch(struct check_opts *o);    /* watch.c */
int cmd_record(struct check_opts *o);   /* record.c */
int cmd_report(struct check_opts *o);   /* report.c */
int cmd_default(struct check_opts *o);  /* default.c: plain kstall */

/* The options of every verb (check_opts.c holds which verb takes which). */
struct check_opts {
	const char *root;
	double interval_s;
	enum format format;
	bool format_set;
	int *pids;
	size_t npids;
	bool fail_on_set;
	enum severity fail_on;
	int deadline_ms;
	const char *output; /* snapshot */
	int color;          /* -1 auto, 0 never, 1 always */
	/* watch */
	double duration_s;  /* 0: until interrupted */
	double threshold_ms;
	double budget_pct; /* --budget: % of one CPU for kstall's BPF programs; 0: none */
	const char *cgroup;
	bool interval_set;
	/* report */
	double from_s, to_s; /* seconds since the recording started; to 0: end */
	const char *arg;     /* the positional argument: report's FILE, explain's ID */
	/* Not options: the dispatcher's answers, from the verb's flags. */
	bool live;            /* reads the live host */
	const char *no_trace; /* CMD_TRACES on the live host: why it cannot trace, or NULL */
};

/* Parse the options of verb (argv[0] is the verb); returns 0, or
 * EXIT_USAGE after printing why. -h or --help prints the verb's usage to
 * stdout and exits 0. A pid given twice to -p is kept once. */
int check_opts_parse(int argc, char **argv, struct check_opts *o, enum verb verb);
void check_opts_free(struct check_opts *o);
/* The usage of verb, as its -h prints it. */
void check_opts_usage(FILE *out, enum verb verb);
struct run_window {
	double interval_s; /* 0: since boot */
	double t0, t1;     /* wall clock of the two samples */
	unsigned user_hz;
};
/* Collect, detect, render: the shared body of check and snapshot. With r
 * non-NULL, reads through it (snapshot captures what was read); with
 * ret_window non-NULL, says what window the report covered. */
int run_check(const struct check_opts *o, struct sysroot *r, struct run_window *ret_window);

/* detect -> name the subjects -> metrics; then render (exit code). */
void report_build(struct sysroot *r, struct inputs *in, struct report *rep);
void report_free(struct report *rep);
int report_render(const struct check_opts *o, const struct report *rep);

/* Flush stdout and turn a failed write (full disk, closed pipe) into an
 * error exit. */
int finish_output(int rc);


#endif

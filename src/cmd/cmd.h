/* One entry point per verb: cmd_<verb>(argc, argv), argv[0] the verb. */
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

int cmd_check(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_default(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* VERB_DEFAULT: plain `kstall`, with no command. */
enum verb { VERB_CHECK, VERB_SNAPSHOT, VERB_WATCH, VERB_RECORD, VERB_REPORT, VERB_EXPLAIN, VERB_DEFAULT };

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
	const char *cgroup;
	bool interval_set;
	/* report */
	double from_s, to_s; /* seconds since the recording started; to 0: end */
	const char *arg;     /* the positional argument: report's FILE, explain's ID */
};

/* Trace, then report (watch.c). live_view: refresh or print a line each
 * interval; false for plain `kstall`, which prints only the report. */
int watch_run(const struct check_opts *o, bool live_view, int record_fd);

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

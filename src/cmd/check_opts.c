/* Each verb's options: the tables that fill struct check_opts, and
 * check_opts_parse() over them. A verb takes exactly what its table lists;
 * `kstall VERB --help` prints that table. */
#include "cmd.h"
#include "options.h"

#define MAX_VERB_OPTS 16

struct verb_table {
	struct verb_spec spec;
	struct option opts[MAX_VERB_OPTS + 1];
};

static const struct opt_choice formats[] = {{"text", FORMAT_TEXT}, {"json", FORMAT_JSON}, {0}};
static const struct opt_choice colors[] = {{"auto", -1}, {"always", 1}, {"never", 0}, {0}};
static const struct opt_choice levels[] = {{"warning", SEV_WARNING}, {"critical", SEV_CRITICAL}, {0}};

/* The options several verbs share; each needs `o` (struct check_opts *)
 * in scope. Help that differs between verbs is an argument. */
#define O_ROOT                                                                                               \
	{.type = OPT_STRING, .long_name = "root", .argh = "DIR", .value = &o->root,                          \
	 .help = "read DIR/proc and DIR/sys instead of the live host: a snapshot, a captured tree, or a "   \
		 "snapshot .tar.gz"}
#define O_INTERVAL(h)                                                                                        \
	{.type = OPT_NUMBER, .long_name = "interval", .argh = "S", .value = &o->interval_s,                  \
	 .seen = &o->interval_set, .want = "seconds", .min = 0.05, .max = 3600, .help = h}
#define O_FORMAT                                                                                             \
	{.type = OPT_CHOICE, .long_name = "format", .argh = "text|json", .value = &o->format,            \
	 .seen = &o->format_set, .choices = formats, .help = "output format (default text)"}
#define O_PID(h)                                                                                             \
	{.type = OPT_INT_LIST, .short_name = 'p', .long_name = "pid", .argh = "PID", .value = &o->pids,      \
	 .count = &o->npids, .want = "a process id", .min = 1, .max = 4194304, .help = h}
#define O_FAIL_ON                                                                                            \
	{.type = OPT_CHOICE, .long_name = "fail-on", .argh = "warning|critical", .value = &o->fail_on,   \
	 .seen = &o->fail_on_set, .choices = levels,                                                         \
	 .help = "exit 3 if a finding is at this level or above (for monitoring scripts)"}
#define O_DEADLINE                                                                                           \
	{.type = OPT_INT, .long_name = "deadline-ms", .argh = "MS", .value = &o->deadline_ms,                \
	 .want = "milliseconds", .min = 1, .max = 60000,                                                     \
	 .help = "give up on a read of a /proc/PID file that takes the process's mmap_lock after MS ms "    \
		 "(default " DEADLINE_DEFAULT_TEXT ")"}
#define O_COLOR                                                                                              \
	{.type = OPT_CHOICE, .long_name = "color", .argh = "auto|always|never", .value = &o->color,          \
	 .choices = colors, .help = "colour the text (default auto: only on a terminal, and not with NO_COLOR set)"}
#define O_DURATION(h)                                                                                        \
	{.type = OPT_NUMBER, .long_name = "duration", .argh = "S", .value = &o->duration_s,                  \
	 .want = "seconds", .min = 0, .min_open = true, .max = 86400 * 7, .help = h}
#define O_THRESHOLD                                                                                          \
	{.type = OPT_NUMBER, .long_name = "threshold", .argh = "MS", .value = &o->threshold_ms,              \
	 .want = "milliseconds", .min = 0.01, .max = 600000,                                                 \
	 .help = "keep waits of MS milliseconds or longer as events, with their context (default 10)"}
#define O_BUDGET                                                                                             \
	{.type = OPT_NUMBER, .long_name = "budget", .argh = "PCT", .value = &o->budget_pct,                  \
	 .want = "a percentage of one CPU", .min = 0, .max = 10000,                                          \
	 .help = "keep kstall's BPF programs under PCT% of one CPU (default 1; 0: no limit): over it, the "   \
		 "most expensive trace groups are detached and their findings skipped, saying so"}
#define O_CGROUP                                                                                             \
	{.type = OPT_STRING, .short_name = 'c', .long_name = "cgroup", .argh = "DIR", .value = &o->cgroup,  \
	 .help = "trace the processes in this cgroup directory (v1 or v2) and its descendants when tracing " \
		 "starts, and their children"}
#define O_OUTPUT(a, h)                                                                                       \
	{.type = OPT_STRING, .short_name = 'o', .long_name = "output", .argh = a, .value = &o->output,       \
	 .required = true, .help = h}

#define STR_(x) #x
#define STR(x) STR_(x)
#define DEADLINE_DEFAULT_TEXT STR(SYSROOT_DEFAULT_DEADLINE_MS)

#define TRACE_PID_HELP "trace only this process and the children it forks (repeatable; a pid given twice counts once)"
#define CHECK_PID_HELP                                                                                       \
	"focus on this process: its state, command line, threads, RSS, address-space layout, wchan and "    \
	"kernel stack (repeatable; a pid given twice counts once)"

#define TABLE(...)                                                                                           \
	do {                                                                                                 \
		const struct option opts_[] = {__VA_ARGS__, {0}};                                            \
		_Static_assert(ARRAY_SIZE(opts_) <= MAX_VERB_OPTS + 1, "raise MAX_VERB_OPTS");               \
		memcpy(t->opts, opts_, sizeof(opts_));                                                       \
	} while (0)

/* The table of verb v, its values going to o. */
static void verb_table(enum verb v, struct check_opts *o, struct verb_table *t)
{
	*t = (struct verb_table){0};
	t->spec.opts = t->opts;
	switch (v) {
	case VERB_CHECK:
		t->spec.name = "check";
		t->spec.summary = "Instant diagnosis from /proc and /sys. Rate counters are read twice, --interval "
				  "apart, on a live host; with --root, from the tree (a snapshot holds both samples; "
				  "a captured tree gives since-boot figures).";
		TABLE(O_ROOT, O_INTERVAL("seconds between the two samples on a live host (default 1)"), O_FORMAT,
		      O_PID(CHECK_PID_HELP), O_FAIL_ON, O_DEADLINE, O_COLOR);
		break;
	case VERB_SNAPSHOT:
		t->spec.name = "snapshot";
		t->spec.summary = "Run check and keep a copy of every file it read, both samples included, so that "
				  "`kstall check --root PATH` on any machine gives the same findings. A snapshot "
				  "holds the command lines of the processes it reports on: review it before you "
				  "share it.";
		TABLE(O_OUTPUT("PATH", "write the snapshot to PATH: a directory that is new or empty, or a "
				       "FILE.tar.gz"),
		      O_ROOT, O_INTERVAL("seconds between the two samples on a live host (default 1)"), O_FORMAT,
		      O_PID(CHECK_PID_HELP), O_FAIL_ON, O_DEADLINE, O_COLOR);
		break;
	case VERB_WATCH:
		t->spec.name = "watch";
		t->spec.summary = "Trace the live host with eBPF (root and kernel BTF). Every --interval a "
				  "refreshed view on a terminal, or one line when stdout is not a terminal; at the "
				  "end (--duration, Ctrl-C or SIGTERM) the report for the whole window, from the "
				  "same detectors as check. With --format json, only that report.";
		TABLE(O_DURATION("stop after S seconds (default: at Ctrl-C or SIGTERM)"),
		      O_INTERVAL("seconds between views and samples (default 1)"), O_PID(TRACE_PID_HELP), O_CGROUP,
		      O_THRESHOLD, O_BUDGET, O_FORMAT, O_FAIL_ON, O_DEADLINE, O_COLOR);
		break;
	case VERB_RECORD:
		t->spec.name = "record";
		t->spec.summary = "What watch does, written to FILE every --interval: the /proc samples, the "
				  "tracer's aggregates and the outlier events, in an appendable format that stays "
				  "readable up to its last complete interval. The window's report at the end, as "
				  "for watch; `kstall report FILE` reads the recording on any machine.";
		TABLE(O_OUTPUT("FILE", "append the recording to FILE"),
		      O_DURATION("stop after S seconds (default: at Ctrl-C or SIGTERM)"),
		      O_INTERVAL("seconds between frames (default 10)"), O_PID(TRACE_PID_HELP), O_CGROUP,
		      O_THRESHOLD, O_BUDGET, O_FORMAT, O_FAIL_ON, O_DEADLINE, O_COLOR);
		break;
	case VERB_REPORT:
		t->spec.name = "report";
		t->spec.args = "FILE";
		t->spec.min_args = t->spec.max_args = 1;
		t->spec.summary = "The findings of a recording (kstall record -o FILE), offline, on any machine: "
				  "for the whole recording, or for the window from --from to --to, in seconds "
				  "after the recording started, each matched to the nearest interval.";
		TABLE({.type = OPT_NUMBER, .long_name = "from", .argh = "S", .value = &o->from_s,
		       .want = "seconds since the recording started", .min = 0,
		       .help = "start the window S seconds after the recording started (default: its start)"},
		      {.type = OPT_NUMBER, .long_name = "to", .argh = "S", .value = &o->to_s,
		       .want = "seconds since the recording started", .min = 0,
		       .help = "end the window S seconds after the recording started (default: its end)"},
		      O_FORMAT, O_FAIL_ON, O_COLOR);
		break;
	case VERB_EXPLAIN:
		t->spec.name = "explain";
		t->spec.args = "[ID]";
		t->spec.max_args = 1;
		t->spec.summary = "The knowledge-base entry behind a finding id: what the kernel does, how it "
				  "hurts, how to confirm by hand, how to fix. Without ID, the list of ids.";
		break;
	case VERB_DEFAULT:
		t->spec.name = "";
		t->spec.summary = "With no command: check, plus --duration of live tracing when kstall can trace "
				  "(root, kernel BTF), then one report; otherwise check, saying what tracing would "
				  "add. With --root, check on that tree.";
		TABLE(O_ROOT, O_DURATION("trace for S seconds (default 10)"),
		      O_INTERVAL("seconds between the two samples of a check (default 1); when tracing, between "
				 "samples (default: the whole --duration)"),
		      O_PID(CHECK_PID_HELP), O_CGROUP, O_THRESHOLD, O_BUDGET, O_FORMAT, O_FAIL_ON, O_DEADLINE, O_COLOR);
		break;
	}
}

static const enum verb all_verbs[] = {VERB_CHECK,  VERB_SNAPSHOT, VERB_WATCH,  VERB_RECORD,
				      VERB_REPORT, VERB_EXPLAIN,  VERB_DEFAULT};

void check_opts_usage(FILE *out, enum verb verb)
{
	struct check_opts scratch = {0};
	struct verb_table t;
	verb_table(verb, &scratch, &t);
	usage_with_options(out, &t.spec);
}

void check_opts_free(struct check_opts *o)
{
	free(o->pids);
	o->pids = NULL;
	o->npids = 0;
}

int check_opts_parse(int argc, char **argv, struct check_opts *o, enum verb verb)
{
	struct check_opts scratch = {0};
	struct verb_table t, others[ARRAY_SIZE(all_verbs)];
	const struct verb_spec *other_specs[ARRAY_SIZE(all_verbs) + 1] = {0};

	*o = (struct check_opts){.root = "/", .interval_s = 1, .deadline_ms = SYSROOT_DEFAULT_DEADLINE_MS,
				 .color = -1, .threshold_ms = 10, .budget_pct = 1};
	verb_table(verb, o, &t);
	for (size_t i = 0; i < ARRAY_SIZE(all_verbs); i++) {
		verb_table(all_verbs[i], &scratch, &others[i]);
		other_specs[i] = all_verbs[i] == verb ? &t.spec : &others[i].spec;
	}
	int n = parse_options(argc, argv, &t.spec, other_specs);
	if (n == PARSE_OPT_HELP) {
		/* Help is the whole of the run: nothing after it. */
		check_opts_free(o);
		exit(finish_output(EXIT_RAN));
	}
	if (n < 0)
		return EXIT_USAGE;
	if (n > 0)
		o->arg = argv[1];
	if (verb == VERB_REPORT) {
		o->output = o->arg; /* the recording */
		if (o->to_s > 0 && o->from_s >= o->to_s) {
			usage_error("--from %g is not before --to %g", o->from_s, o->to_s);
			return EXIT_USAGE;
		}
	}
	return 0;
}

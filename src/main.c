/* kstall: which kernel mechanism is making my service slow, and who is
 * causing it. The verb table and the dispatcher that acts on its flags
 * (cmd.h). */
#include "cmd/cmd.h"
#include "cmd/live.h"

static const struct cmd cmds[] = {
	{.name = "check", .verb = VERB_CHECK, .flags = CMD_READS_ROOT, .run = cmd_check,
	 .help = "instant diagnosis from /proc and /sys (two samples, --interval apart)"},
	{.name = "watch", .verb = VERB_WATCH, .flags = CMD_TRACES | CMD_NEEDS_ROOT, .run = cmd_watch,
	 .refused = "trace", .help = "trace live with eBPF; a view every --interval, the report at the end"},
	{.name = "record", .verb = VERB_RECORD, .flags = CMD_TRACES | CMD_NEEDS_ROOT, .run = cmd_record,
	 .refused = "record", .help = "trace live and record to -o FILE (every --interval, default 10 s)"},
	{.name = "report", .verb = VERB_REPORT, .run = cmd_report,
	 .help = "the findings of a recording, for its whole window or --from/--to"},
	{.name = "snapshot", .verb = VERB_SNAPSHOT, .flags = CMD_READS_ROOT, .run = cmd_snapshot,
	 .help = "copy what check reads to -o DIR or -o FILE.tar.gz, for analysis elsewhere"},
	{.name = "explain", .verb = VERB_EXPLAIN, .run = cmd_explain,
	 .help = "the knowledge-base entry behind a finding id"},
};

/* kstall with no command (or only options). */
static const struct cmd plain = {.name = "", .verb = VERB_DEFAULT, .flags = CMD_READS_ROOT | CMD_TRACES,
				 .run = cmd_default};

static void usage(FILE *out)
{
	fprintf(out, "usage: kstall [COMMAND] [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(out, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(out, "\n`kstall COMMAND --help` lists the options of COMMAND.\n\n");
	check_opts_usage(out, VERB_DEFAULT);
}

/* What the flags ask, once the options are parsed: 0, or the exit code
 * of a refusal. */
static int act_on_flags(const struct cmd *c, struct check_opts *o)
{
	o->live = !(c->flags & CMD_READS_ROOT) || !strcmp(o->root, "/");
	if ((c->flags & CMD_TRACES) && o->live)
		o->no_trace = live_trace_unavailable();
	if ((c->flags & CMD_NEEDS_ROOT) && o->no_trace) {
		fprintf(stderr, "kstall: cannot %s: %s\n", c->refused, o->no_trace);
		return EXIT_CANNOT_RUN;
	}
	return 0;
}

/* argv[0] is the verb. */
static int run_cmd(const struct cmd *c, int argc, char **argv)
{
	struct check_opts o;
	int rc = check_opts_parse(argc, argv, &o, c->verb);

	if (rc == 0)
		rc = act_on_flags(c, &o);
	if (rc == 0)
		rc = c->run(&o);
	check_opts_free(&o);
	return finish_output(rc);
}

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(name, cmds[i].name))
			return &cmds[i];
	return NULL;
}

static int unknown_cmd(const char *typed)
{
	char *name = sanitize_tty(typed);
	fprintf(stderr, "kstall: unknown command '%s'\n\n", name);
	free(name);
	usage(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc >= 3 && !strcmp(argv[1], "help")) {
		/* kstall help COMMAND: that command's usage. */
		char *args[] = {argv[2], "--help", NULL};
		c = find_cmd(argv[2]);
		return c ? run_cmd(c, 2, args) : unknown_cmd(argv[2]);
	}
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))) {
		usage(stdout);
		return finish_output(EXIT_RAN);
	}
	if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))) {
		printf("kstall %s\n", KSTALL_VERSION);
		return finish_output(EXIT_RAN);
	}
	if (argc < 2 || argv[1][0] == '-') {
		argv[0] = "kstall";
		return run_cmd(&plain, argc, argv);
	}
	c = find_cmd(argv[1]);
	return c ? run_cmd(c, argc - 1, argv + 1) : unknown_cmd(argv[1]);
}

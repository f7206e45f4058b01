/* kstall: which kernel mechanism is making my service slow, and who is
 * causing it. */
#include "cmd/cmd.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct cmd cmds[] = {
	{"check", cmd_check, "instant diagnosis from /proc and /sys (two samples, --interval apart)"},
	{"watch", cmd_watch, "trace live with eBPF; a view every --interval, the report at the end"},
	{"record", cmd_record, "trace live and record to -o FILE (every --interval, default 10 s)"},
	{"report", cmd_report, "the findings of a recording, for its whole window or --from/--to"},
	{"snapshot", cmd_snapshot, "copy what check reads to -o DIR or -o FILE.tar.gz, for analysis elsewhere"},
	{"explain", cmd_explain, "the knowledge-base entry behind a finding id"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: kstall [COMMAND] [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(out, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(out, "\n`kstall COMMAND --help` lists the options of COMMAND.\n\n");
	check_opts_usage(out, VERB_DEFAULT);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "help")) {
		/* kstall help COMMAND: that command's usage. */
		char *args[] = {argv[2], "--help", NULL};
		for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
			if (!strcmp(argv[2], cmds[i].name))
				return cmds[i].fn(2, args);
		char *name = sanitize_tty(argv[2]);
		fprintf(stderr, "kstall: unknown command '%s'\n\n", name);
		free(name);
		usage(stderr);
		return EXIT_USAGE;
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
		return cmd_default(argc, argv);
	}
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	char *name = sanitize_tty(argv[1]);
	fprintf(stderr, "kstall: unknown command '%s'\n\n", name);
	free(name);
	usage(stderr);
	return EXIT_USAGE;
}

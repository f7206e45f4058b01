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
	fprintf(out,
		"\nWith no command: check plus 10 s of live tracing when kstall can trace (root, kernel\n"
		"BTF); otherwise check, saying what tracing would add.\n"
		"check/snapshot options:\n"
		"  --root DIR          read DIR/proc and DIR/sys instead of the live host (a snapshot,\n"
		"                      a captured tree, or a .tar.gz snapshot)\n"
		"  --interval S        seconds between the two samples on a live host (default 1)\n"
		"  --format text|json  output format (default text)\n"
		"  -p, --pid PID       focus on this process (repeatable)\n"
		"  --fail-on LEVEL     exit 3 if a finding is at LEVEL (warning|critical) or above\n"
		"  --deadline-ms N     give up on a /proc/PID read after N ms (default %d)\n"
		"  --color WHEN        auto|always|never (default auto: only on a terminal)\n"
		"  -o PATH             snapshot: output directory, or FILE.tar.gz\n"
		"watch options (and --interval, --format, -p, --fail-on):\n"
		"  --duration S        stop after S seconds (default: at Ctrl-C or SIGTERM)\n"
		"  --threshold MS      waits this long or longer are kept as events (default 10)\n"
		"  -c, --cgroup DIR    watch the processes of this cgroup (v1 or v2 directory)\n"
		"record: -o FILE (appends), and the watch options. report FILE [--from S] [--to S]\n"
		"  [--format text|json]: S in seconds since the recording started.\n"
		"\nexit: 0 ran, 1 could not run, 2 usage error, 3 --fail-on matched\n",
		SYSROOT_DEFAULT_DEADLINE_MS);
}

int main(int argc, char **argv)
{
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
	fprintf(stderr, "kstall: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

/* kstall check: instant diagnosis from /proc and /sys. */
#include "cmd.h"
#include "../lib/memtree.h"
#include "../lib/tar.h"
#include "../detect/detect.h"

#include <getopt.h>
#include <sys/resource.h>

void usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("kstall: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see kstall --help)\n", stderr);
}

int finish_output(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "kstall: writing output failed: %s\n", strerror(errno));
		return EXIT_CANNOT_RUN;
	}
	return rc;
}

void check_opts_free(struct check_opts *o)
{
	free(o->pids);
}

int check_opts_parse(int argc, char **argv, struct check_opts *o, enum verb verb)
{
	static const struct option lo[] = {
		{"root", required_argument, NULL, 'r'},
		{"interval", required_argument, NULL, 'i'},
		{"format", required_argument, NULL, 'f'},
		{"pid", required_argument, NULL, 'p'},
		{"fail-on", required_argument, NULL, 'F'},
		{"deadline-ms", required_argument, NULL, 'd'},
		{"color", required_argument, NULL, 'K'},
		{"output", required_argument, NULL, 'o'},
		{"duration", required_argument, NULL, 'D'},
		{"threshold", required_argument, NULL, 'T'},
		{"cgroup", required_argument, NULL, 'C'},
		{"from", required_argument, NULL, 'F' + 256},
		{"to", required_argument, NULL, 'T' + 256},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	size_t cap = 0;
	int c;
	char *end;

	*o = (struct check_opts){.root = "/", .interval_s = 1, .deadline_ms = SYSROOT_DEFAULT_DEADLINE_MS,
				 .color = -1, .threshold_ms = 10};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "p:o:c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->root = optarg;
			break;
		case 'i':
			o->interval_s = strtod(optarg, &end);
			if (*end || !(o->interval_s >= 0.05 && o->interval_s <= 3600)) {
				usage_error("--interval wants seconds between 0.05 and 3600, not '%s'", optarg);
				return EXIT_USAGE;
			}
			o->interval_set = true;
			break;
		case 'D':
			o->duration_s = strtod(optarg, &end);
			if ((verb != VERB_WATCH && verb != VERB_RECORD) || *end ||
			    !(o->duration_s > 0 && o->duration_s <= 86400 * 7)) {
				usage_error("--duration is for watch: seconds, more than 0, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'T':
			o->threshold_ms = strtod(optarg, &end);
			if ((verb != VERB_WATCH && verb != VERB_RECORD) || *end ||
			    !(o->threshold_ms >= 0.01 && o->threshold_ms <= 600000)) {
				usage_error("--threshold is for watch: milliseconds, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'C':
		case 'c':
			if (verb != VERB_WATCH && verb != VERB_RECORD) {
				usage_error("-c CGROUP is for watch and record");
				return EXIT_USAGE;
			}
			o->cgroup = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "text"))
				o->format = FORMAT_TEXT;
			else if (!strcmp(optarg, "json"))
				o->format = FORMAT_JSON;
			else {
				usage_error("--format is text or json, not '%s'", optarg);
				return EXIT_USAGE;
			}
			o->format_set = true;
			break;
		case 'p': {
			long v = strtol(optarg, &end, 10);
			if (*end || v <= 0 || v > 4194304) {
				usage_error("-p wants a process id, not '%s'", optarg);
				return EXIT_USAGE;
			}
			ARRAY_GROW(o->pids, o->npids, cap);
			o->pids[o->npids++] = (int)v;
			break;
		}
		case 'F':
			if (severity_parse(optarg, &o->fail_on) < 0 || o->fail_on == SEV_INFO) {
				usage_error("--fail-on is warning or critical, not '%s'", optarg);
				return EXIT_USAGE;
			}
			o->fail_on_set = true;
			break;
		case 'd': {
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 60000) {
				usage_error("--deadline-ms wants 1 to 60000, not '%s'", optarg);
				return EXIT_USAGE;
			}
			o->deadline_ms = (int)v;
			break;
		}
		case 'K':
			o->color = !strcmp(optarg, "always") ? 1 : !strcmp(optarg, "never") ? 0
				 : !strcmp(optarg, "auto") ? -1 : -2;
			if (o->color == -2) {
				usage_error("--color is auto, always or never, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'F' + 256:
		case 'T' + 256: {
			double v = strtod(optarg, &end);
			if (verb != VERB_REPORT || *end || v < 0) {
				usage_error("--from/--to are for report: seconds since the recording started");
				return EXIT_USAGE;
			}
			*(c == 'F' + 256 ? &o->from_s : &o->to_s) = v;
			break;
		}
		case 'o':
			if (verb != VERB_SNAPSHOT && verb != VERB_RECORD) {
				usage_error("-o is for snapshot");
				return EXIT_USAGE;
			}
			o->output = optarg;
			break;
		case 'h':
			usage_error("options: --root --interval --format --pid --fail-on --deadline-ms --color%s%s",
				    verb == VERB_SNAPSHOT ? " -o" : "",
				    verb == VERB_WATCH ? " --duration --threshold -c" : "");
			return EXIT_USAGE;
		default:
			usage_error("%s: unknown or incomplete option '%s'", argv[0], argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (verb == VERB_REPORT && optind == argc - 1)
		o->output = argv[optind++]; /* the recording */
	if (optind < argc) {
		usage_error("%s: unexpected argument '%s'", argv[0], argv[optind]);
		return EXIT_USAGE;
	}
	return 0;
}

static double self_cpu_seconds(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return -1;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Open the root named by the options: a directory, or a .tar.gz snapshot
 * read into memory (nothing from it is written to disk). */
static int open_root(const char *root, struct sysroot **ret)
{
	int rc;

	if (path_is_tar_gz(root)) {
		struct memtree t = {0};
		char why[512] = "";
		rc = tar_gz_read(root, &t, why, sizeof(why));
		if (rc < 0) {
			_cleanup_free_ char *w = sanitize_tty(why);
			fprintf(stderr, "kstall: cannot read snapshot %s: %s\n", root, w);
			return rc;
		}
		return sysroot_open_mem(&t, root, ret);
	}
	rc = sysroot_open(root, ret);
	if (rc < 0)
		fprintf(stderr, "kstall: cannot open root %s: %s\n", root, strerror(-rc));
	return rc;
}

/* The processes the findings name, so that their command lines are read. */
static void read_subject_cmdlines(struct sysroot *r, struct inputs *in, const struct findings *f)
{
	int *pids = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < f->n; i++)
		for (size_t j = 0; j < f->v[i].nsubj; j++)
			if (f->v[i].subj[j].kind == SUBJ_PROCESS) {
				ARRAY_GROW(pids, n, cap);
				pids[n++] = f->v[i].subj[j].pid;
			}
	collect_cmdlines(r, in, pids, n);
	free(pids);
}

void report_build(struct sysroot *r, struct inputs *in, struct report *rep)
{
	unsigned have = (sysroot_is_live(r) && geteuid() == 0) ? NEED_ROOT : 0;

	*rep = (struct report){.in = in};
	detect_all(in, have, &rep->findings, &rep->skips);
	read_subject_cmdlines(r, in, &rep->findings);
	metrics_collect(in, &rep->metrics);
	for (size_t i = 0; i < ndetectors; i++)
		for (const char *const *id = detectors[i]->ids; *id; id++)
			rep->nchecks++;
	rep->nchecks = rep->nchecks > rep->skips.n ? rep->nchecks - rep->skips.n : 0;
	rep->kstall_cpu_s = self_cpu_seconds();
}

void report_free(struct report *rep)
{
	findings_free(&rep->findings);
	skips_free(&rep->skips);
	metrics_free(&rep->metrics);
}

int report_render(const struct check_opts *o, const struct report *rep)
{
	bool color = o->color == 1 || (o->color == -1 && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
	int rc = o->format == FORMAT_JSON ? render_json(stdout, rep) : render_text(stdout, rep, color);
	if (rc < 0)
		return EXIT_CANNOT_RUN;
	bool any;
	enum severity max = findings_max(&rep->findings, &any);
	return o->fail_on_set && any && max >= o->fail_on ? EXIT_FAIL_ON : EXIT_RAN;
}

int run_check(const struct check_opts *o, struct sysroot *given, struct run_window *ret_window)
{
	struct sysroot *r = given;
	struct inputs in = {0};
	struct report rep = {0};
	int exit_code = EXIT_CANNOT_RUN;

	if (!r && open_root(o->root, &r) < 0)
		goto out;
	sysroot_set_deadline_ms(r, o->deadline_ms);

	struct collect_opts co = {.interval_s = o->interval_s, .pids = o->pids, .npids = o->npids};
	int crc = collect(r, &co, &in);
	if (crc == -EBADMSG) {
		fprintf(stderr, "kstall: %s: incomplete snapshot (it has kstall/ but no kstall/meta, which a snapshot "
				"writes last): it was cut short; take it again\n", o->root);
		goto out;
	} else if (crc < 0) {
		fprintf(stderr, "kstall: %s has no proc/ directory: not a live root, snapshot or captured tree\n",
			o->root);
		goto out;
	}
	report_build(r, &in, &rep);
	if (ret_window) {
		ret_window->interval_s = in.mode == WINDOW_INTERVAL ? in.interval_s : 0;
		ret_window->t0 = in.prev ? in.prev->t_real : 0;
		ret_window->t1 = in.cur.t_real;
		ret_window->user_hz = in.host.user_hz;
	}
	exit_code = report_render(o, &rep);
out:
	report_free(&rep);
	inputs_free(&in);
	if (!given)
		sysroot_free(r);
	return exit_code;
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o;
	int rc = check_opts_parse(argc, argv, &o, VERB_CHECK);
	if (rc == 0)
		rc = run_check(&o, NULL, NULL);
	check_opts_free(&o);
	return finish_output(rc);
}

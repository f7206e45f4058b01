/* kstall with no command: check, plus --duration of live tracing when
 * kstall can trace (root, kernel BTF; the dispatcher asked, see
 * CMD_TRACES), then one report and no view; otherwise, or with --root,
 * check alone, saying on the live host what tracing would add. */
#include "live.h"

int cmd_default(struct check_opts *o)
{
	if (!o->live || o->no_trace) {
		if (o->live && o->format == FORMAT_TEXT)
			fprintf(stderr, "kstall: running check only: %s. Live tracing would add who produces "
					"negative dentries, reclaim stalls per process, slow shrinkers and mmap churn.\n",
				o->no_trace);
		return run_check(o, NULL, NULL);
	}
	if (o->duration_s <= 0)
		o->duration_s = 10;
	if (!o->interval_set)
		o->interval_s = o->duration_s;
	if (o->format == FORMAT_TEXT && isatty(STDERR_FILENO))
		fprintf(stderr, "kstall: checking and tracing for %.0f s...\n", o->duration_s);
	return live_run(o, NULL);
}

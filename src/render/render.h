/* Renderers: they only format what they are given. */
#ifndef KSTALL_RENDER_H
#define KSTALL_RENDER_H

#include "../collect/collect.h"
#include "../model/finding.h"

struct report {
	const struct inputs *in;
	struct findings findings;
	struct skips skips;
	struct skips partial; /* ids that ran over only part of the processes */
	bool unprivileged;    /* live without root: other users' per-process files are closed */
	struct metrics metrics;
	double kstall_cpu_s; /* kstall's own CPU time for the run */
	size_t nchecks;      /* finding ids whose detectors ran */
};

enum format { FORMAT_TEXT, FORMAT_JSON };

int render_json(FILE *out, const struct report *r);
int render_text(FILE *out, const struct report *r, bool color);

/* Strings from the host (comm, paths, cmdlines) may hold any byte.
 * For JSON: invalid UTF-8 becomes U+FFFD (json-c escapes control bytes).
 * For terminals: control bytes and invalid UTF-8 become "\xNN". */
char *sanitize_utf8(const char *s);
char *sanitize_tty(const char *s);

#endif

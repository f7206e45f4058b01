/* The reader: everything kstall knows about a host (struct inputs,
 * src/model/inputs.h), read through a sysroot (live, fixture tree or
 * snapshot) and parsed. Detectors get a const struct inputs and nothing
 * else: they include inputs.h, never this. */
#ifndef KSTALL_COLLECT_H
#define KSTALL_COLLECT_H

#include "../lib/sysroot.h"
#include "../model/inputs.h"

struct collect_opts {
	double interval_s;   /* live: time between samples */
	const int *pids;
	size_t npids;
	bool quiet_progress;
};

/* Read everything from r. On a live root, samples twice, interval_s
 * apart; on a tree, uses kstall/sample0 when present (a snapshot), or
 * since-boot figures. Returns 0, or -errno if nothing could be read:
 * -ENOENT no proc/, -EBADMSG an incomplete snapshot (kstall/ without
 * kstall/meta). */
int collect(struct sysroot *r, const struct collect_opts *o, struct inputs *ret);
void inputs_free(struct inputs *in);
/* The pieces of collect(), for watch: host facts once, then samples. */
int collect_host(struct sysroot *r, const struct collect_opts *o, struct inputs *in);
/* What a sample reads beyond the counters: details are the -p targets'
 * files and D-state tasks' stacks; maps are every user process's
 * /proc/PID/maps (or the -p targets'), summarised. */
enum { SAMPLE_DETAILS = 1 << 0, SAMPLE_MAPS = 1 << 1 };
void collect_sample(struct sysroot *r, struct inputs *in, struct sample *s, unsigned flags);
void sample_free(struct sample *s);
/* Read cmdline (under the deadline) for these pids of the later sample,
 * if not read yet: the processes a report names. */
void collect_cmdlines(struct sysroot *r, struct inputs *in, const int *pids, size_t n);

/* Name the traced processes as the sample names them: a process the
 * tracer first saw before its exec (under /usr/bin/time, a shell) carries
 * its earlier name in the maps; its name now is the one after exec.
 * Per-CPU histograms and threads other than a group leader keep theirs. */
void traced_name_from_sample(struct traced *t, const struct sample *s);

/* Path of the meta file and earlier sample inside a snapshot. */
#define SNAPSHOT_META "kstall/meta"
#define SNAPSHOT_SAMPLE0 "kstall/sample0/"

#endif

/* Inside the tracer: its state, and the descriptor each mechanism
 * (reclaim.c, dcache.c, vma.c, irq.c, writeback.c, mmap_lock.c) gives of
 * itself. trace.c derives from the descriptors what to plan, load, seed,
 * attach and read; nothing there names a mechanism's program or map.
 *
 * Adding a mechanism: a group bit in src/model/groups.h; its programs in
 * src/bpf; src/trace/NAME.c with `const struct tr_mechanism tr_NAME`
 * listing its groups, the tracepoints and programs of each, and the hooks
 * it needs; a line in tr_mechanisms[] (registry.c); the groups each
 * finding id needs in its detector's `traces`. */
#ifndef KSTALL_TRACE_MECHANISM_H
#define KSTALL_TRACE_MECHANISM_H

#include "trace.h"

#include <bpf/libbpf.h>

#include "../bpf/kstall.h"
#include "kstall.skel.h"

/* The sampled failed paths of a process (by tgid) or, once it has
 * exited, of its group (by parent and name, as the kernel folds it). */
struct lookup_paths {
	uint32_t tgid;
	bool group;
	uint32_t ppid;
	char comm[KS_COMM_LEN];
	struct pattern_set set;
};

struct sym {
	uint64_t addr;
	char name[96];
};

#define TR_MAX_LINKS 64 /* per-syscall event links */

struct tracer {
	struct kstall_bpf *skel;
	struct sysroot *root;
	unsigned available;    /* groups whose tracepoints this kernel has */
	unsigned groups;       /* groups that run */
	struct tg_notes notes; /* why the others do not, and notes on some that do */
	int stats_fd;          /* >= 0 while statistics are on */
	bool stats_ok;         /* the kernel let us turn them on */
	double stats_since;    /* when they were last turned on */
	double stats_sampled;  /* seconds they have been on, finished periods */
	double t0;
	struct ring_buffer *rb;
	struct tr_event *events;
	size_t nevents, capevents;
	uint64_t events_not_kept;
	struct lookup_paths *paths;
	size_t npaths, cappaths;
	uint64_t paths_not_kept;
	/* vmops entries of processes that have exited, moved out of the map
	 * (see vma.c) so that it does not fill up on a long run */
	struct tr_hist *retired;
	size_t nretired, capretired;
	uint64_t vmops_pruned;
	struct sym *syms; /* resolved shrinker functions */
	size_t nsyms, capsyms;
	struct bpf_link *links[TR_MAX_LINKS]; /* per-syscall events */
	const struct bpf_program *link_progs[TR_MAX_LINKS]; /* ... and their programs */
	size_t nlinks;
	/* --budget (budget.c): a share of one CPU, 0 for none; each
	 * program's run time (by its index in the object) at the last
	 * statistics' start, then over their last period */
	double budget;
	uint64_t *budget_ns;
	size_t nbudget, capbudget;
	bool per_syscall; /* lookups and mmap through per-syscall events, not raw */
	const struct btf *vmlinux; /* the kernel's BTF, from configure to autoload */
};

/* A NULL-terminated list of names, for the tables below. */
#define TR_LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

/* One group of a mechanism. Lists end at NULL. */
struct tr_group {
	unsigned group;                    /* one TG_* bit */
	const char *const *tracepoints;    /* all needed: names in the kernel's BTF (btf_trace_NAME) */
	const char *const *progs;          /* programs that serve it */
	const char *const *syscall_progs;  /* ... attached to per-syscall events (tracefs) */
	const char *const *raw_progs;      /* ... or, without tracefs, on raw sys_enter/sys_exit */
	unsigned requires;                 /* dependent: runs only where one of these runs */
	unsigned fallback_for;             /* runs only where these do not */
	const char *fallback_note;         /* what is lost while it stands in for them */
};

struct tr_mechanism {
	const char *name;
	const struct tr_group *groups; /* ends at group 0 */
	/* Before load: read-only data and map sizes; may drop groups
	 * (tracer_drop) by the options. */
	void (*configure)(struct tracer *t, const struct trace_opts *o);
	/* After the groups' programs are chosen: a variant this kernel
	 * cannot load, or that configure did not choose, off. */
	void (*autoload)(struct tracer *t);
	/* After load, before attach: seed its maps; may drop groups. */
	void (*seed)(struct tracer *t);
	/* After the skeleton's attach: per-syscall events; may drop groups. */
	void (*attach)(struct tracer *t);
	/* Its own maps into out, after the shared histograms. */
	void (*read)(struct tracer *t, struct traced *out);
	/* A ring-buffer record that is not a wait outlier (e->type), taken
	 * whole: true if it was this mechanism's. */
	bool (*ring)(struct tracer *t, const struct ks_event *e);
	/* A wait outlier of one of its kinds: what its record carries beyond
	 * the common fields, into x. */
	void (*outlier)(struct tr_event *x, const struct ks_event *e);
	/* A name for a histogram's or outlier's detail of one of its kinds
	 * (a shrinker's function), or NULL. */
	const char *(*detail_name)(struct tracer *t, unsigned kind, uint64_t detail);
};

extern const struct tr_mechanism tr_reclaim, tr_dcache, tr_vma, tr_irq, tr_writeback, tr_mmap_lock;
/* In the order their hooks run, which is the order of their notes (and
 * so of the skips) after the plan's. */
extern const struct tr_mechanism *const tr_mechanisms[];
extern const size_t ntr_mechanisms;

/* Every group of every mechanism, in order. */
#define FOR_EACH_GROUP(i, g)                     \
	for (size_t i = 0; i < ntr_mechanisms; i++) \
		for (const struct tr_group *g = tr_mechanisms[i]->groups; g->group; g++)

/* The descriptor of a group bit, or NULL. */
const struct tr_group *tr_group_of(unsigned group);
/* Switch a running group off with the reason, and the groups that run
 * only with it (their `requires`) with it. */
void tracer_drop(struct tracer *t, unsigned group, const char *fmt, ...) PRINTF_FMT(3, 4);
/* The fallback group standing in for group, if one runs. */
const struct tr_group *tracer_fallback_running(unsigned groups, unsigned group);

/* Keep a per-syscall event's link (to program p) until tracer_stop. */
void tracer_keep_link(struct tracer *t, const struct bpf_program *p, struct bpf_link *l);

/* --budget (budget.c): when the run-time statistics go on, and when they
 * go off after on_s seconds (sheds what is over budget). */
void tracer_budget_begin(struct tracer *t);
void tracer_budget_end(struct tracer *t, double on_s);


/* Shared by the readers: one histogram of a hists-shaped map. */
void tracer_hist_from_map(struct tr_hist *x, const struct ks_hist_key *k, const struct ks_hist *h);
/* One histogram into out, its detail named. */
void tracer_add_hist(struct tracer *t, const struct ks_hist_key *k, const struct ks_hist *h, struct traced *out);
/* Every histogram of a hists-shaped map (hists, vmops, irqh) into out;
 * returns how many. */
size_t tracer_read_hists(struct tracer *t, const struct bpf_map *m, struct traced *out);

#endif

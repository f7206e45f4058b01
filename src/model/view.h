/* The view: every figure derived from the samples (deltas, rates' counts,
 * time shares, per-process CPU shares), computed once from struct inputs
 * by view_build(), a pure function, before any detector, metric or
 * renderer runs. They only read it, so a finding and the metric of the
 * same counter cannot disagree.
 *
 * Over the window: between the two samples in interval mode; since boot
 * (the counter itself) with one sample. A figure that cannot be had says
 * so (a flag, and for a whole source a reason naming the file); it is
 * never 0.
 *
 * Counters that go backwards, one rule per kind of counter, here only:
 *  - softnet_stat's are 32-bit and the kernel never resets them, so a
 *    later value below the earlier one wrapped: the delta is taken modulo
 *    2^32 (one lap; a second would need 2^32 more packets on one CPU in
 *    the window).
 *  - proc/stat's ticks are 64-bit; one that went backwards (iowait is an
 *    estimate and does) counts 0 ticks.
 *  - any other counter that went backwards is unknown: its CPU, row or
 *    rate is left out. That includes the per-CPU counts of
 *    proc/interrupts and proc/softirqs: 32-bit too, but a numbered line's
 *    count restarts at 0 when its IRQ is freed and requested again (a
 *    driver reload), which a wrap cannot be told from. */
#ifndef KSTALL_VIEW_H
#define KSTALL_VIEW_H

#include "../proc/proc.h"

struct inputs;

#define VIEW_WHY 256

/* One line of proc/stat: shares of its ticks over the window. */
struct view_cpu {
	int cpu;        /* -1: the "cpu" line, all CPUs */
	bool has_time;  /* ticks in the window; false when the CPU came online in it */
	unsigned ncols; /* columns the kernel printed */
	double share[CPUT_MAX]; /* column k's share of the ticks; 0 from ncols on */
	double idle, user;      /* idle + iowait, user + nice */
};

/* One row of proc/softirqs or proc/interrupts: events over the window. */
struct view_row {
	const struct irq_row *row; /* in the later sample */
	unsigned nth;   /* earlier rows with its label (ppc has two LOC rows) */
	bool matched;   /* the earlier sample has it too (always since boot) */
	bool has_sum;   /* sum: on every CPU; false when it went backwards */
	uint64_t sum;
	bool *has;      /* per column of the later sample: the CPU is in both */
	uint64_t *n;    /* samples and its count did not go backwards */
};

struct view_table {
	bool ok;             /* read and parsed in both samples */
	char why[VIEW_WHY];  /* when not: which file and why */
	const struct irq_table *t; /* the later sample's: its columns' CPUs */
	struct view_row *rows;     /* the later sample's rows, in order */
	size_t nrows;
	bool has_all;   /* all: every row's events (went backwards: false) */
	uint64_t all;
};

/* One CPU's row of softnet_stat, over the window. */
struct view_softnet_cpu {
	int cpu;
	uint64_t processed, dropped, squeezed, received_rps;
};

struct view_softnet {
	bool ok;
	char why[VIEW_WHY];
	bool has_received; /* column 10 (received_rps, 2.6.35+) in every row of both samples */
	bool cpu_missing;  /* a CPU of the later sample is not in the earlier one */
	struct view_softnet_cpu *cpus; /* the CPUs in both samples, in the later's order */
	size_t n;
};

/* A vmstat counter's rate between the samples; -1 when it went backwards
 * (or the window is empty). Interval mode only. */
struct view_counter {
	const char *key; /* in the later sample's table */
	double rate;
};

struct view_proc {
	int pid;
	double cpu_share; /* of one CPU over the window (0..n); -1 unknown */
};

struct view {
	bool since_boot;
	double secs; /* the window's length, for rates; -1 when unknown */
	char secs_why[VIEW_WHY];

	/* proc/stat */
	bool has_stat;
	char stat_why[VIEW_WHY];
	struct view_cpu total;
	struct view_cpu *cpus; /* proc/stat's per-CPU lines, in its order */
	size_t ncpus;
	double ctxt_rate; /* context switches per second; -1 unknown */

	struct view_table softirqs, interrupts;
	struct view_softnet softnet;

	bool has_vmstat;
	char vmstat_why[VIEW_WHY];
	struct view_counter *vmstat; /* counters in both samples */
	size_t nvmstat;

	/* dentry-state, per second between the samples */
	bool has_dentry_growth;
	double dentry_growth, negative_growth;

	struct view_proc *procs; /* one per process of the later sample, in its order */
	size_t nprocs;

	uint64_t max_map_count;     /* vm.max_map_count, or the kernel default 65530 */
	bool max_map_count_assumed; /* when the sysctl was not read */
};

/* Derive the view of in (everything but in->view). Pure: reads in,
 * allocates into ret; what it points to (rows, keys) lives in in->cur. */
void view_build(const struct inputs *in, struct view *ret);
void view_free(struct view *v);
/* Rebuild in->view: after a sample, the window or the host facts changed
 * (collect() does it; so must whoever assembles inputs by hand). */
void view_update(struct inputs *in);

/* Queries over a view. */
/* A process's CPU share, by pid: -1 when unknown or not in the sample. */
double view_cpu_share(const struct view *v, int pid);
/* The first row with that label; NULL when the later sample has none. */
const struct view_row *view_table_row(const struct view_table *t, const char *label);
/* A vmstat counter, NULL unless both samples have it. */
const struct view_counter *view_vmstat(const struct view *v, const char *key);
/* Events per second over the window, from a view count: -1 when the
 * window's length is unknown. */
double view_rate(const struct view *v, uint64_t events);

#endif

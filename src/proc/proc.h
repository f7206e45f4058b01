/* Pure parsers for /proc and /sys text.
 *
 * Each parser takes the whole file as a NUL-terminated string and fills a
 * struct; it keeps no state and does no I/O, so tests and fuzzers call it
 * directly. It returns 0, or -EINVAL with err->line and err->msg saying
 * what was wrong. Structs own their memory; each has a _free().
 *
 * They are written for the kernel's format across 2.6.32 to 6.x, not for
 * particular files: column counts vary, fields get added at the end, and
 * whitespace is not fixed-width. */
#ifndef KSTALL_PROC_H
#define KSTALL_PROC_H

#include "../lib/util.h"

struct perr {
	unsigned line; /* 1-based; 0 when not about a line */
	char msg[200];
};

int perr_set(struct perr *e, unsigned line, const char *fmt, ...) PRINTF_FMT(3, 4);
/* Arguments for "%.*s" quoting at most max bytes of p, up to its line end. */
#define QLINE(p, max) (int)(strcspn((p), "\n") > (max) ? (size_t)(max) : strcspn((p), "\n")), (p)

/* ---- text helpers (text.c) ---- */
struct line_iter {
	const char *p, *end;
	unsigned lineno;
};
void line_iter_init(struct line_iter *it, const char *text);
/* Next line without its '\n'; false at end. A last line without '\n'
 * counts. */
bool line_iter_next(struct line_iter *it, const char **line, size_t *len);
const char *skip_ws(const char *s, const char *end);
/* Strict unsigned decimal: at least one digit, no overflow. */
int parse_u64(const char *s, const char *end, const char **ret_end, uint64_t *ret);
int parse_hex_u64(const char *s, const char *end, const char **ret_end, uint64_t *ret);
int parse_double(const char *s, const char *end, const char **ret_end, double *ret);
/* Parse a file holding one unsigned number (sysctl, sysfs). */
int parse_single_u64(const char *text, uint64_t *ret, struct perr *err);

/* ---- key/value files (kv.c) ---- */
struct kv {
	char *key;
	uint64_t val;
};
struct kvtab {
	struct kv *v;
	size_t n, cap;
};
void kvtab_free(struct kvtab *t);
int kv_get(const struct kvtab *t, const char *key, uint64_t *ret);
/* meminfo: "Key: value [kB]"; values as printed (kB, or pages/counts for
 * HugePages_*). Legacy 2.4-style "total: used:" / "Mem:" / "Swap:" lines
 * of very old kernels are recognised and skipped. */
int proc_meminfo_parse(const char *text, struct kvtab *ret, struct perr *err);
/* vmstat: "key value". */
int proc_vmstat_parse(const char *text, struct kvtab *ret, struct perr *err);
/* One "Key:<blanks>number[ kB]" line of a file of such lines and others
 * (proc/PID/status's VmHWM, proc/PID/fdinfo/N's memlock): the number as
 * printed. -ENOENT when no line has that key, -EINVAL when its value is
 * not one number (with its unit, if any, kB). */
int proc_field_u64(const char *text, const char *key, uint64_t *ret, struct perr *err);

/* ---- version ---- */
struct kernel_version {
	unsigned major, minor, patch;
	char release[128];
};
int kernel_release_parse(const char *text, struct kernel_version *ret, struct perr *err);
int proc_version_parse(const char *text, struct kernel_version *ret, struct perr *err);
bool kver_at_least(const struct kernel_version *v, unsigned major, unsigned minor);

/* ---- /proc/stat ---- */
enum {
	CPUT_USER, CPUT_NICE, CPUT_SYSTEM, CPUT_IDLE, CPUT_IOWAIT, CPUT_IRQ,
	CPUT_SOFTIRQ, CPUT_STEAL, CPUT_GUEST, CPUT_GUEST_NICE, CPUT_MAX
};
struct cpu_times {
	int cpu; /* -1 for the "cpu" total line */
	unsigned ncols; /* columns the kernel printed: 4 (2.4) to 10 */
	uint64_t t[CPUT_MAX];
};
struct proc_stat {
	struct cpu_times total;
	struct cpu_times *cpus;
	size_t ncpus;
	uint64_t intr_total, ctxt, btime, processes, procs_running, procs_blocked, softirq_total;
	bool has_intr, has_ctxt, has_btime, has_processes, has_running, has_blocked, has_softirq;
};
int proc_stat_parse(const char *text, struct proc_stat *ret, struct perr *err);
void proc_stat_free(struct proc_stat *s);
uint64_t cpu_times_total(const struct cpu_times *c);

/* ---- loadavg ---- */
struct loadavg {
	double avg1, avg5, avg15;
	unsigned running, total;
	uint64_t last_pid;
};
int proc_loadavg_parse(const char *text, struct loadavg *ret, struct perr *err);

/* ---- pressure ---- */
struct psi_line {
	bool present;
	double avg10, avg60, avg300;
	uint64_t total_us;
};
struct psi {
	struct psi_line some, full;
};
int proc_pressure_parse(const char *text, struct psi *ret, struct perr *err);

/* ---- dentry-state ---- */
struct dentry_state {
	uint64_t nr_dentry, nr_unused, age_limit, want_pages, nr_negative, dummy;
};
int proc_dentry_state_parse(const char *text, struct dentry_state *ret, struct perr *err);

/* ---- interrupts and softirqs (irqs.c) ---- */
struct irq_row {
	char *label;     /* "0", "LOC", "NET_RX", ... not unique (ppc has two LOC) */
	uint64_t *counts; /* one per column; rows may have fewer (ERR, MIS) */
	size_t ncounts;
	char *desc;      /* chip/trigger/action text, "" if none */
	uint64_t sum;
};
struct irq_table {
	int *cpu_of_col; /* column index -> CPU number from the header */
	size_t ncols;
	struct irq_row *rows;
	size_t nrows, caprows;
};
/* /proc/interrupts and /proc/softirqs share one layout: a header of CPU
 * names, then "LABEL: count... [description]". */
int proc_interrupts_parse(const char *text, struct irq_table *ret, struct perr *err);
int proc_softirqs_parse(const char *text, struct irq_table *ret, struct perr *err);
void irq_table_free(struct irq_table *t);
/* Row by label; nth occurrence (0 first). NULL if absent. */
const struct irq_row *irq_table_row(const struct irq_table *t, const char *label, unsigned nth);

/* ---- softnet_stat ---- */
struct softnet_row {
	int cpu;       /* from the cpu column (13+ columns), else the row index */
	unsigned ncols;
	uint32_t processed, dropped, time_squeeze, cpu_collision, received_rps, flow_limit;
	uint32_t backlog_len;
};
struct softnet {
	struct softnet_row *rows;
	size_t n;
	bool cpu_from_column; /* false: row index, wrong with offline CPUs */
};
int proc_softnet_parse(const char *text, struct softnet *ret, struct perr *err);
void softnet_free(struct softnet *s);

/* ---- per process (pid.c) ---- */
struct pid_stat {
	int pid;
	char comm[64];
	char state;
	int ppid;
	uint64_t utime, stime; /* clock ticks */
	int64_t num_threads;
	uint64_t starttime; /* ticks after boot */
	uint64_t vsize;     /* bytes */
	int64_t rss;        /* pages */
	int processor;      /* -1 if the kernel did not print it */
	uint64_t blkio_ticks; /* delayacct_blkio_ticks, 0 if absent */
	unsigned nfields;
};
/* comm may hold any byte but NUL, ')' and newlines included: it ends at
 * the last ')' of the file, and the fields follow it on that line. */
int proc_pid_stat_parse(const char *text, struct pid_stat *ret, struct perr *err);
/* /proc/PID/comm: the name and one '\n', which goes; a newline inside the
 * name stays. At most retlen - 1 bytes are kept. */
void proc_comm_parse(const char *data, size_t len, char *ret, size_t retlen);

struct pid_status {
	char name[64];
	char state;
	int tgid, pid, ppid;
	int64_t threads;
	uint64_t vm_size_kb, vm_rss_kb;
	bool has_vm; /* kernel threads have no Vm* lines */
	int nspid[8]; /* NSpid: host pid first, then inner namespaces */
	unsigned nnspid;
};
int proc_pid_status_parse(const char *text, struct pid_status *ret, struct perr *err);
/* cmdline: NUL-separated argv, returned joined by spaces. */
char *proc_cmdline_join(const char *data, size_t len);

struct kstack {
	char **funcs;
	size_t n;
};
/* /proc/PID/stack: "[<addr>] func+off/size" lines. */
int proc_stack_parse(const char *text, struct kstack *ret, struct perr *err);
void kstack_free(struct kstack *s);
/* /proc/PID/wchan: a symbol or "0"; returns the trimmed name ("" for 0). */
char *proc_wchan_parse(const char *text);

struct vma {
	uint64_t start, end, offset, inode;
	unsigned dev_major, dev_minor;
	char perms[5];
	char *path; /* NULL for anonymous */
};
struct maps {
	struct vma *v;
	size_t n, cap;
};
int proc_maps_parse(const char *text, struct maps *ret, struct perr *err);
void maps_free(struct maps *m);

/* ---- mountinfo ---- */
struct mount {
	int id, parent;
	unsigned major, minor;
	char *root, *mountpoint, *opts, *fstype, *source, *super_opts;
};
struct mounts {
	struct mount *v;
	size_t n, cap;
};
int proc_mountinfo_parse(const char *text, struct mounts *ret, struct perr *err);
void mounts_free(struct mounts *m);

/* ---- CPU masks and lists (cpumask.c) ---- */
#define CPUSET_MAX 8192
struct cpuset {
	uint64_t bits[CPUSET_MAX / 64];
	unsigned highest; /* highest CPU set + 1 */
};
/* "ffffffff,00000003": 32-bit hex groups, most significant first. */
int cpumask_parse(const char *text, struct cpuset *ret, struct perr *err);
/* "0-3,8,10-11"; empty is the empty set. */
int cpulist_parse(const char *text, struct cpuset *ret, struct perr *err);
unsigned cpuset_count(const struct cpuset *s);
bool cpuset_test(const struct cpuset *s, unsigned cpu);
/* As a list ("0-3,8"); stops before overflowing out (then incomplete). */
void cpuset_format(const struct cpuset *s, char *out, size_t n);

#endif

/* The reader: everything kstall knows about a host, read through a
 * sysroot (live, fixture tree or snapshot) and parsed. Detectors get a
 * const struct inputs and nothing else. */
#ifndef KSTALL_COLLECT_H
#define KSTALL_COLLECT_H

#include "../lib/sysroot.h"
#include "../proc/proc.h"
#include "../model/vma.h"
#include "traced.h"

/* Status of one source file. */
enum src_state { SRC_ABSENT = 0, SRC_OK, SRC_ERROR };
struct src {
	enum src_state state;
	char path[128]; /* relative path actually read (or first tried) */
	char why[256];  /* ABSENT: errno text; ERROR: "line N: msg" */
};

struct proc_entry {
	struct pid_stat stat;
	char *cmdline;       /* NULL if not read or unreadable */
	bool cmdline_tried;
	char *wchan;         /* D-state tasks and -p targets only */
	struct kstack stack; /* idem, when the kernel allows it */
	struct pid_status status; /* -p targets only */
	bool has_status;
	struct vma_summary vma; /* from maps: user processes, SAMPLE_MAPS samples */
	bool has_maps;
};

/* What changes between two samples. */
struct sample {
	double t_mono, t_real;
	struct src s_stat, s_meminfo, s_vmstat, s_dentry, s_interrupts, s_softirqs, s_softnet,
		s_uptime, s_procs;
	struct proc_stat stat;
	struct kvtab meminfo, vmstat;
	struct dentry_state dentry;
	struct irq_table interrupts, softirqs;
	struct softnet softnet;
	double uptime_s;
	struct proc_entry *procs; /* sorted by pid */
	size_t nprocs;
	bool procs_truncated;
};

struct netqueue {
	char iface[64];
	char queue[32]; /* rx-0, tx-3 */
	bool has_mask;
	struct cpuset mask; /* rps_cpus for rx, xps_cpus for tx */
	int64_t rps_flow_cnt; /* rx: RFS flow table size; -1 when absent */
};

struct irq_affinity {
	unsigned irq;
	struct cpuset mask;
};

struct bdi {
	char name[64];
	int64_t min_ratio, max_ratio, max_bytes, strict_limit; /* -1 when absent */
};

struct unreadable {
	int pid;
	char comm[64];
	char file[32];
	char reason[96];
	int err; /* the read's -errno: -EACCES for another user's process */
};

struct errnote {
	char file[128];
	unsigned line;
	char msg[200];
};

/* Read once. */
struct host {
	char hostname[256];
	struct src s_version, s_loadavg, s_psi[4], s_online, s_possible, s_mountinfo;
	struct kernel_version kver;
	bool has_kver;
	struct cpuset online, possible;
	struct loadavg loadavg;
	struct psi psi[4]; /* cpu, memory, io, irq */
	struct kvtab sysctl;  /* allow-listed vm.* and fs.* settings */
	struct netqueue *queues;
	size_t nqueues;
	struct irq_affinity *irqs;
	size_t nirqs;
	struct bdi *bdis;
	size_t nbdis;
	struct mounts mounts; /* of pid 1 */
	unsigned user_hz;
};

enum window_mode { WINDOW_INTERVAL, WINDOW_SINCE_BOOT };

struct inputs {
	struct host host;
	struct sample *prev; /* NULL: since-boot figures only */
	struct sample cur;
	enum window_mode mode;
	double interval_s;
	bool live;
	const char *window_source; /* "live", "snapshot", "root" */
	int *pids;               /* -p filter; empty = all */
	size_t npids;
	struct unreadable *unreadable;
	size_t nunreadable, capunreadable;
	struct errnote *errors;
	size_t nerrors, caperrors;
	const struct traced *traced; /* NULL unless live tracing ran */
};

extern const char *const psi_names[4];

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

/* Helpers for detectors. */
const struct proc_entry *sample_proc(const struct sample *s, int pid);
/* The bdi backing a mount: the same device number (FUSE, NFS and other
 * 0:N devices), else the disk of a partition (the greatest bdi minor of
 * the mount's major at or below its minor). NULL if none. */
const struct bdi *host_bdi_of_mount(const struct host *h, const struct mount *m);
/* A bdi's first mount (NULL if none), and how many it backs. */
const struct mount *host_mount_of_bdi(const struct host *h, const struct bdi *b, unsigned *n);
bool inputs_pid_selected(const struct inputs *in, int pid);
/* vm.max_map_count, or the kernel default 65530 with *assumed set when
 * the sysctl was not read. */
uint64_t inputs_max_map_count(const struct inputs *in, bool *assumed);
/* meminfo value in bytes, -ENOENT if absent. */
int meminfo_bytes(const struct sample *s, const char *key, uint64_t *ret);

/* Path of the meta file and earlier sample inside a snapshot. */
#define SNAPSHOT_META "kstall/meta"
#define SNAPSHOT_SAMPLE0 "kstall/sample0/"

#endif

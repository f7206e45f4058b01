/* What kstall knows about a host: everything read from its /proc and
 * /sys (or a tree, snapshot or recording), parsed, and what live tracing
 * saw. Plain data and pure queries over it, with no file access: this is
 * all a detector or renderer is given (src/collect fills it; the view,
 * src/model/view.h, holds the figures derived from it). */
#ifndef KSTALL_INPUTS_H
#define KSTALL_INPUTS_H

#include "../proc/proc.h"
#include "../collect/traced.h"
#include "vma.h"
#include "view.h"

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
	/* Out of line, so that an entry of a sample that has neither stays
	 * small (a host of 30,000 processes holds two samples of them). */
	struct pid_status *status; /* -p targets and named processes; NULL: not read */
	struct vma_summary *vma;   /* from maps: user processes, SAMPLE_MAPS samples; NULL: not read */
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
	struct view view; /* derived from the rest: view_update() after any change */
};

extern const char *const psi_names[4];

/* Queries over what was read (src/model/inputs.c). */
const struct proc_entry *sample_proc(const struct sample *s, int pid);
/* The bdi backing a mount: the same device number (FUSE, NFS and other
 * 0:N devices), else the disk of a partition (the greatest bdi minor of
 * the mount's major at or below its minor). NULL if none. */
const struct bdi *host_bdi_of_mount(const struct host *h, const struct mount *m);
/* A bdi's first mount (NULL if none), and how many it backs. */
const struct mount *host_mount_of_bdi(const struct host *h, const struct bdi *b, unsigned *n);
bool inputs_pid_selected(const struct inputs *in, int pid);
/* meminfo value in bytes, -ENOENT if absent. */
int meminfo_bytes(const struct sample *s, const char *key, uint64_t *ret);

/* Why a source is not usable: its own reason ("proc/uptime: No such file
 * or directory", "...: malformed at line 3: ..."), or that it was not
 * read. */
void src_reason(const struct src *s, const char *what, char *out, size_t n);
/* A sample source usable over the window: read and parsed in the later
 * sample, and in the earlier one in interval mode. off is the offset of
 * the struct src in struct sample; why (if not) names the file. */
bool window_src_ok(const struct inputs *in, size_t off, char *why, size_t n);
/* The window's length in seconds: the interval, or the uptime since boot;
 * -1 (and why, naming proc/uptime) when it cannot be known. */
double window_seconds(const struct inputs *in, char *why, size_t n);

#endif

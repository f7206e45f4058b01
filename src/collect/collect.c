#include "collect.h"

#include <ctype.h>
#include <math.h>
#include <time.h>

/* Processes read per sample. /proc lists thread-group leaders, not
 * threads: hosts with a few hundred thousand threads have far fewer
 * processes. What is past the bound is said in errors, not dropped. */
#define MAX_PROCS 262144
#define MAX_DSTATE_STACKS 256
#define MAX_IFACES 256
#define MAX_QUEUES 128
#define MAX_IRQS 4096
#define MAX_BDIS 1024

/* Settings read by name. Never list a whole sysctl directory: some
 * entries act when read (vm/stat_refresh flushes per-CPU counters) or
 * are write-only triggers (vm/drop_caches, vm/compact_memory). */
static const char *const sysctl_allow[] = {
	"vm/dirty_ratio", "vm/dirty_bytes", "vm/dirty_background_ratio",
	"vm/dirty_background_bytes", "vm/dirty_expire_centisecs",
	"vm/dirty_writeback_centisecs", "vm/vfs_cache_pressure",
	"vm/vfs_cache_pressure_denom", "vm/max_map_count", "vm/min_free_kbytes",
	"vm/swappiness", "vm/overcommit_memory", "vm/overcommit_ratio",
	"vm/watermark_scale_factor", "vm/zone_reclaim_mode", "fs/dentry-negative",
	"kernel/task_delayacct", "net/core/netdev_max_backlog", "net/core/netdev_budget",
	"net/core/netdev_budget_usecs", "net/core/rps_sock_flow_entries",
};

static void add_error(struct inputs *in, const char *file, const struct perr *e)
{
	ARRAY_GROW(in->errors, in->nerrors, in->caperrors);
	struct errnote *n = &in->errors[in->nerrors++];
	snprintf(n->file, sizeof(n->file), "%s", file);
	n->line = e->line;
	snprintf(n->msg, sizeof(n->msg), "%s", e->msg);
}

static void add_unreadable(struct inputs *in, int pid, const char *comm, const char *file, int rc,
			   const char *why)
{
	ARRAY_GROW(in->unreadable, in->nunreadable, in->capunreadable);
	struct unreadable *u = &in->unreadable[in->nunreadable++];
	u->pid = pid;
	u->err = rc;
	snprintf(u->comm, sizeof(u->comm), "%s", comm);
	snprintf(u->file, sizeof(u->file), "%s", file);
	if (rc == -ETIMEDOUT)
		snprintf(u->reason, sizeof(u->reason),
			 "read did not finish within the deadline (the process may hold its mmap_lock)");
	else if (rc == -EBUSY)
		snprintf(u->reason, sizeof(u->reason),
			 "skipped: %d earlier reads are still stuck in the kernel", SYSROOT_MAX_STUCK);
	else
		snprintf(u->reason, sizeof(u->reason), "%s", why && *why ? why : strerror(-rc));
}

/* Read path into b. Records state in s. */
static int read_src(struct sysroot *r, const char *path, struct src *s, struct buf *b)
{
	snprintf(s->path, sizeof(s->path), "%s", path);
	int rc = sysroot_read(r, path, b);
	if (rc < 0) {
		s->state = SRC_ABSENT;
		snprintf(s->why, sizeof(s->why), "%s: %s", path, sysroot_why(r));
	}
	return rc;
}

/* Record the outcome of parsing a source. */
static bool parsed(struct inputs *in, struct src *s, int rc, const struct perr *e)
{
	if (rc == 0) {
		s->state = SRC_OK;
		return true;
	}
	s->state = SRC_ERROR;
	if (e->line)
		snprintf(s->why, sizeof(s->why), "%s: malformed at line %u: %s", s->path, e->line, e->msg);
	else
		snprintf(s->why, sizeof(s->why), "%s: malformed: %s", s->path, e->msg);
	add_error(in, s->path, e);
	return false;
}

#define PARSE_FILE(in, r, path, srcp, parser, out)                             \
	do {                                                                   \
		struct buf _b = {0};                                           \
		struct perr _e = {0};                                          \
		if (read_src((r), (path), (srcp), &_b) == 0)                   \
			parsed((in), (srcp), parser(_b.data, (out), &_e), &_e); \
		buf_free(&_b);                                                 \
	} while (0)

static int cmp_proc(const void *a, const void *b)
{
	const struct proc_entry *x = a, *y = b;
	return (x->stat.pid > y->stat.pid) - (x->stat.pid < y->stat.pid);
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* cmdline takes the target's mmap_lock: deadline read, and only for the
 * processes kstall names, so a check does not lock every process. */
static void read_cmdline(struct sysroot *r, const char *pre, struct inputs *in, struct proc_entry *p)
{
	char path[256];
	struct buf b = {0};

	snprintf(path, sizeof(path), "%sproc/%d/cmdline", pre, p->stat.pid);
	int rc = sysroot_read_deadline(r, path, &b);
	if (rc == 0)
		p->cmdline = proc_cmdline_join(b.data, b.len);
	else if (rc != -ENOENT && rc != -ESRCH)
		add_unreadable(in, p->stat.pid, p->stat.comm, "cmdline", rc, sysroot_why(r));
	buf_free(&b);
}

/* status, out of line: only -p targets and the processes a report names
 * have one. A malformed one is an error where it was asked for (-p). */
static void read_status(struct sysroot *r, const char *pre, struct inputs *in, struct proc_entry *p, bool report)
{
	char path[256];
	struct buf b = {0};
	struct perr e = {0};
	struct pid_status st;

	snprintf(path, sizeof(path), "%sproc/%d/status", pre, p->stat.pid);
	if (sysroot_read(r, path, &b) == 0) {
		if (proc_pid_status_parse(b.data, &st, &e) == 0)
			p->status = memcpy(xmalloc(sizeof(st)), &st, sizeof(st));
		else if (report)
			add_error(in, path, &e);
	}
	buf_free(&b);
}

void collect_cmdlines(struct sysroot *r, struct inputs *in, const int *pids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct proc_entry *p = (struct proc_entry *)sample_proc(&in->cur, pids[i]);
		if (p && !p->cmdline && !p->cmdline_tried) {
			p->cmdline_tried = true;
			read_cmdline(r, "", in, p);
			/* status gives NSpid: the pid inside its own namespace. */
			if (!p->status)
				read_status(r, "", in, p, false);
		}
	}
}

static void read_proc_details(struct sysroot *r, const char *pre, struct inputs *in,
			      struct proc_entry *p, const char *pidstr, bool selected,
			      unsigned *nstacks)
{
	char path[256];
	struct buf b = {0};
	struct perr e = {0};

	if (selected) {
		/* comm is the name the task has now (stat's copy is the same
		 * field; the file needs no parenthesis parsing). 2.6.33+. It
		 * may hold newlines (see proc_comm_parse). */
		snprintf(path, sizeof(path), "%sproc/%s/comm", pre, pidstr);
		if (sysroot_read(r, path, &b) == 0 && b.len)
			proc_comm_parse(b.data, b.len, p->stat.comm, sizeof(p->stat.comm));
		buf_free(&b);
		read_cmdline(r, pre, in, p);
	}

	if (selected || (p->stat.state == 'D' && *nstacks < MAX_DSTATE_STACKS)) {
		/* wchan, stack, stat and status do not take mmap_lock. */
		snprintf(path, sizeof(path), "%sproc/%s/wchan", pre, pidstr);
		if (sysroot_read(r, path, &b) == 0)
			p->wchan = proc_wchan_parse(b.data);
		buf_free(&b);
		/* stack needs root: without it, the task is named in
		 * unreadable, so that the report can say what was not seen. */
		snprintf(path, sizeof(path), "%sproc/%s/stack", pre, pidstr);
		int rc = sysroot_read(r, path, &b);
		if (rc == 0 && proc_stack_parse(b.data, &p->stack, &e) < 0)
			add_error(in, path, &e);
		else if (rc == -EACCES || rc == -EPERM)
			add_unreadable(in, p->stat.pid, p->stat.comm, "stack", rc, sysroot_why(r));
		buf_free(&b);
		if (p->stat.state == 'D')
			(*nstacks)++;
	}
	if (selected && in->npids)
		read_status(r, pre, in, p, true);
}

/* /proc/PID/maps takes the process's mmap_lock: read under the deadline,
 * summarised at once, and only the summary is kept. Kernel threads (no
 * address space, vsize 0) are not read. All of a sample's are one batch
 * of deadline reads (the summaries are made in the reader thread while
 * this one waits: see sysroot_read_deadline_batch). */
struct maps_batch {
	struct inputs *in;
	struct sample *s;
	const char *pre;
	size_t *idx; /* the entries of s->procs to read */
};

static void maps_name(void *ctx, size_t i, char *buf, size_t len)
{
	const struct maps_batch *mb = ctx;
	snprintf(buf, len, "%sproc/%d/maps", mb->pre, mb->s->procs[mb->idx[i]].stat.pid);
}

static void maps_done(void *ctx, size_t i, int rc, const char *why, struct buf *data)
{
	const struct maps_batch *mb = ctx;
	struct proc_entry *p = &mb->s->procs[mb->idx[i]];
	char path[256];

	if (rc < 0) {
		if (rc != -ENOENT && rc != -ESRCH)
			add_unreadable(mb->in, p->stat.pid, p->stat.comm, "maps", rc, why);
		return;
	}
	struct maps m = {0};
	struct vma_summary v;
	struct perr e = {0};
	if (proc_maps_parse(data->data, &m, &e) == 0 && vma_summarize(&m, &v) == 0) {
		p->vma = memcpy(xmalloc(sizeof(v)), &v, sizeof(v));
	} else {
		maps_name(ctx, i, path, sizeof(path));
		add_error(mb->in, path, e.msg[0] ? &e : &(struct perr){.msg = "regions out of address order"});
	}
	maps_free(&m);
}

static void read_maps(struct sysroot *r, const char *pre, struct inputs *in, struct sample *s)
{
	size_t *idx = xcalloc(s->nprocs + 1, sizeof(*idx)), n = 0;
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].stat.vsize && (!in->npids || inputs_pid_selected(in, s->procs[i].stat.pid)))
			idx[n++] = i;
	struct maps_batch mb = {.in = in, .s = s, .pre = pre, .idx = idx};
	sysroot_read_deadline_batch(r, &(struct sysroot_batch){.n = n, .name = maps_name, .each = maps_done, .ctx = &mb});
	free(idx);
}

static void read_procs(struct sysroot *r, const char *pre, struct inputs *in, struct sample *s,
		       unsigned flags)
{
	char path[256];
	char **names = NULL;
	size_t cap = 0;
	unsigned nstacks = 0;

	snprintf(path, sizeof(path), "%sproc", pre);
	snprintf(s->s_procs.path, sizeof(s->s_procs.path), "%s", path);
	int rc = sysroot_list(r, path, &names);
	if (rc < 0) {
		s->s_procs.state = SRC_ABSENT;
		snprintf(s->s_procs.why, sizeof(s->s_procs.why), "%s: %s", path, strerror(-rc));
		return;
	}
	for (char **n = names; *n; n++) {
		struct buf b = {0};
		struct perr e = {0};
		struct proc_entry p = {0};

		if (!is_number(*n))
			continue;
		if (s->nprocs >= MAX_PROCS) {
			size_t more = 0;
			for (char **m = n; *m; m++)
				more += is_number(*m);
			s->procs_truncated = true;
			struct perr e2 = {0};
			snprintf(e2.msg, sizeof(e2.msg), "%zu processes not read: kstall reads at most %d per sample",
				 more, MAX_PROCS);
			snprintf(path, sizeof(path), "%sproc", pre);
			add_error(in, path, &e2);
			break;
		}
		snprintf(path, sizeof(path), "%sproc/%s/stat", pre, *n);
		rc = sysroot_read(r, path, &b);
		if (rc < 0) {
			if (rc != -ENOENT && rc != -ESRCH)
				add_unreadable(in, atoi(*n), "?", "stat", rc, sysroot_why(r));
			buf_free(&b);
			continue;
		}
		rc = proc_pid_stat_parse(b.data, &p.stat, &e);
		buf_free(&b);
		if (rc < 0) {
			add_error(in, path, &e);
			continue;
		}
		if (p.stat.pid != atoi(*n)) { /* a tree from elsewhere: the kernel never does this */
			add_error(in, path, &(struct perr){.line = 1});
			snprintf(in->errors[in->nerrors - 1].msg, sizeof(in->errors[0].msg), "names pid %d, not %s",
				 p.stat.pid, *n);
			continue;
		}
		bool selected = in->npids && inputs_pid_selected(in, p.stat.pid);
		if (flags & SAMPLE_DETAILS)
			read_proc_details(r, pre, in, &p, *n, selected, &nstacks);
		ARRAY_GROW(s->procs, s->nprocs, cap);
		s->procs[s->nprocs++] = p;
	}
	strv_free(names);
	if (s->nprocs > 1)
		qsort(s->procs, s->nprocs, sizeof(*s->procs), cmp_proc);
	if (flags & SAMPLE_MAPS)
		read_maps(r, pre, in, s);
	s->s_procs.state = SRC_OK;
}

static int parse_uptime(const char *text, double *ret, struct perr *err)
{
	const char *end = text + strlen(text);
	if (parse_double(skip_ws(text, end), end, NULL, ret) < 0)
		return perr_set(err, 1, "expected seconds since boot");
	return 0;
}

static void read_sample(struct sysroot *r, const char *pre, struct inputs *in, struct sample *s,
			unsigned flags)
{
	char path[256];

#define P(rel) (snprintf(path, sizeof(path), "%s%s", pre, rel), path)
	PARSE_FILE(in, r, P("proc/stat"), &s->s_stat, proc_stat_parse, &s->stat);
	PARSE_FILE(in, r, P("proc/meminfo"), &s->s_meminfo, proc_meminfo_parse, &s->meminfo);
	PARSE_FILE(in, r, P("proc/vmstat"), &s->s_vmstat, proc_vmstat_parse, &s->vmstat);
	PARSE_FILE(in, r, P("proc/sys/fs/dentry-state"), &s->s_dentry, proc_dentry_state_parse, &s->dentry);
	PARSE_FILE(in, r, P("proc/interrupts"), &s->s_interrupts, proc_interrupts_parse, &s->interrupts);
	PARSE_FILE(in, r, P("proc/softirqs"), &s->s_softirqs, proc_softirqs_parse, &s->softirqs);
	PARSE_FILE(in, r, P("proc/uptime"), &s->s_uptime, parse_uptime, &s->uptime_s);
	/* proc/net is a link to self/net on a live host; some captures only
	 * kept the per-pid copy. */
	if (sysroot_exists(r, P("proc/net/softnet_stat")) || !sysroot_exists(r, P("proc/1/net/softnet_stat")))
		PARSE_FILE(in, r, P("proc/net/softnet_stat"), &s->s_softnet, proc_softnet_parse, &s->softnet);
	else
		PARSE_FILE(in, r, P("proc/1/net/softnet_stat"), &s->s_softnet, proc_softnet_parse, &s->softnet);
#undef P
	read_procs(r, pre, in, s, flags);
}

static int parse_hostname(const char *text, char (*ret)[256], struct perr *err UNUSED)
{
	size_t n = strcspn(text, "\n");
	snprintf(*ret, sizeof(*ret), "%.*s", (int)n, text);
	return 0;
}

static int parse_release(const char *text, struct kernel_version *v, struct perr *e)
{
	return kernel_release_parse(text, v, e);
}

static int read_mask(struct sysroot *r, const char *path, struct cpuset *ret)
{
	struct buf b = {0};
	struct perr e = {0};
	int rc = sysroot_read(r, path, &b);
	if (rc == 0)
		rc = cpumask_parse(b.data, ret, &e);
	buf_free(&b);
	return rc;
}

static int read_i64(struct sysroot *r, const char *path, int64_t *ret)
{
	struct buf b = {0};
	uint64_t v;
	int rc = sysroot_read(r, path, &b);
	if (rc == 0)
		rc = parse_single_u64(b.data, &v, NULL);
	buf_free(&b);
	*ret = rc == 0 ? (int64_t)v : -1;
	return rc;
}

static void read_iface(struct sysroot *r, struct host *h, const char *dir, const char *iface)
{
	char path[512];
	char **qs = NULL;

	snprintf(path, sizeof(path), "%s/%s/queues", dir, iface);
	if (sysroot_list(r, path, &qs) < 0)
		return;
	size_t cap = h->nqueues, nq = 0;
	for (char **q = qs; *q && nq < MAX_QUEUES; q++) {
		bool rx = str_starts_with(*q, "rx-"), tx = str_starts_with(*q, "tx-");
		if (!rx && !tx)
			continue;
		struct netqueue nqe = {0};
		snprintf(nqe.iface, sizeof(nqe.iface), "%s", iface);
		snprintf(nqe.queue, sizeof(nqe.queue), "%s", *q);
		snprintf(path, sizeof(path), "%s/%s/queues/%s/%s", dir, iface, *q, rx ? "rps_cpus" : "xps_cpus");
		nqe.has_mask = read_mask(r, path, &nqe.mask) == 0;
		nqe.rps_flow_cnt = -1;
		snprintf(path, sizeof(path), "%s/%s/queues/%s/rps_flow_cnt", dir, iface, *q);
		if (rx && read_i64(r, path, &nqe.rps_flow_cnt) < 0)
			nqe.rps_flow_cnt = -1;
		ARRAY_GROW(h->queues, h->nqueues, cap);
		h->queues[h->nqueues++] = nqe;
		nq++;
	}
	strv_free(qs);
}

/* Trees copied without /sys/class keep interfaces under sys/devices/.../net. */
static void find_net_dirs(struct sysroot *r, struct host *h, const char *dir, int depth, unsigned *nif)
{
	char **ents = NULL;
	char path[512];

	if (depth > 7 || *nif >= MAX_IFACES || sysroot_list(r, dir, &ents) < 0)
		return;
	for (char **e = ents; *e && *nif < MAX_IFACES; e++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *e);
		if (strcmp(*e, "net")) {
			find_net_dirs(r, h, path, depth + 1, nif); /* fails fast on files */
			continue;
		}
		char **ifs = NULL;
		if (sysroot_list(r, path, &ifs) == 0)
			for (char **i = ifs; *i && *nif < MAX_IFACES; i++, (*nif)++)
				read_iface(r, h, path, *i);
		strv_free(ifs);
	}
	strv_free(ents);
}

/* Who the host is: clock ticks, name, kernel, load, pressure, CPUs. */
static void read_host_identity(struct sysroot *r, struct inputs *in)
{
	struct host *h = &in->host;
	struct src tmp = {0};
	char path[256];

	h->user_hz = 100; /* USER_HZ is 100 on every architecture kstall runs on, bar alpha */
	if (sysroot_is_live(r)) {
		long hz = sysconf(_SC_CLK_TCK);
		if (hz > 0)
			h->user_hz = (unsigned)hz;
	}
	snprintf(h->hostname, sizeof(h->hostname), "unknown");
	PARSE_FILE(in, r, "proc/sys/kernel/hostname", &tmp, parse_hostname, &h->hostname);

	PARSE_FILE(in, r, "proc/sys/kernel/osrelease", &h->s_version, parse_release, &h->kver);
	if (h->s_version.state != SRC_OK)
		PARSE_FILE(in, r, "proc/version", &h->s_version, proc_version_parse, &h->kver);
	h->has_kver = h->s_version.state == SRC_OK;
	PARSE_FILE(in, r, "proc/loadavg", &h->s_loadavg, proc_loadavg_parse, &h->loadavg);
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "proc/pressure/%s", psi_names[i]);
		PARSE_FILE(in, r, path, &h->s_psi[i], proc_pressure_parse, &h->psi[i]);
	}
	PARSE_FILE(in, r, "sys/devices/system/cpu/online", &h->s_online, cpulist_parse, &h->online);
	PARSE_FILE(in, r, "sys/devices/system/cpu/possible", &h->s_possible, cpulist_parse, &h->possible);
}

/* The sysctls in sysctl_allow that the root has, named net.core.x. */
static void read_sysctls(struct sysroot *r, struct inputs *in)
{
	struct host *h = &in->host;
	char path[256];
	size_t cap = 0;

	for (size_t i = 0; i < ARRAY_SIZE(sysctl_allow); i++) {
		struct buf b = {0};
		struct perr e = {0};
		uint64_t v;
		snprintf(path, sizeof(path), "proc/sys/%s", sysctl_allow[i]);
		if (sysroot_read(r, path, &b) == 0) {
			if (parse_single_u64(b.data, &v, &e) == 0) {
				ARRAY_GROW(h->sysctl.v, h->sysctl.n, cap);
				char *k = xstrdup(sysctl_allow[i]);
				for (char *c = k; (c = strchr(c, '/'));)
					*c = '.'; /* net/core/x: net.core.x */
				h->sysctl.v[h->sysctl.n++] = (struct kv){k, v};
			} else {
				add_error(in, path, &e);
			}
		}
		buf_free(&b);
	}
	h->sysctl.cap = cap;
}

/* Network queues: RPS and XPS masks. */
static void read_net_queues(struct sysroot *r, struct host *h)
{
	char **names = NULL;
	unsigned nif = 0;

	if (sysroot_list(r, "sys/class/net", &names) == 0) {
		for (char **n = names; *n && nif < MAX_IFACES; n++, nif++)
			read_iface(r, h, "sys/class/net", *n);
		strv_free(names);
	} else {
		find_net_dirs(r, h, "sys/devices", 0, &nif);
	}
}

/* IRQ affinities. */
static void read_irq_affinities(struct sysroot *r, struct host *h)
{
	char path[256];
	char **names = NULL;

	if (sysroot_list(r, "proc/irq", &names) < 0)
		return;
	size_t icap = 0;
	for (char **n = names; *n && h->nirqs < MAX_IRQS; n++) {
		struct irq_affinity a = {0};
		if (!is_number(*n))
			continue;
		snprintf(path, sizeof(path), "proc/irq/%s/smp_affinity", *n);
		if (read_mask(r, path, &a.mask) < 0)
			continue;
		a.irq = (unsigned)atoi(*n);
		ARRAY_GROW(h->irqs, h->nirqs, icap);
		h->irqs[h->nirqs++] = a;
	}
	strv_free(names);
}

/* Backing devices: dirty-throttling limits. */
static void read_bdis(struct sysroot *r, struct host *h)
{
	char path[256];
	char **names = NULL;
	const char *bdir = "sys/class/bdi";

	if (sysroot_list(r, bdir, &names) < 0) {
		bdir = "sys/devices/virtual/bdi";
		if (sysroot_list(r, bdir, &names) < 0)
			return;
	}
	size_t bcap = 0;
	for (char **n = names; *n && h->nbdis < MAX_BDIS; n++) {
		struct bdi d = {0};
		snprintf(d.name, sizeof(d.name), "%s", *n);
		snprintf(path, sizeof(path), "%s/%s/min_ratio", bdir, *n);
		read_i64(r, path, &d.min_ratio);
		snprintf(path, sizeof(path), "%s/%s/max_ratio", bdir, *n);
		read_i64(r, path, &d.max_ratio);
		snprintf(path, sizeof(path), "%s/%s/max_bytes", bdir, *n);
		read_i64(r, path, &d.max_bytes);
		snprintf(path, sizeof(path), "%s/%s/strict_limit", bdir, *n);
		read_i64(r, path, &d.strict_limit);
		if (d.min_ratio < 0 && d.max_ratio < 0)
			continue;
		ARRAY_GROW(h->bdis, h->nbdis, bcap);
		h->bdis[h->nbdis++] = d;
	}
	strv_free(names);
}

/* Mounts as init sees them (kstall may run in another namespace). */
static void read_mounts(struct sysroot *r, struct inputs *in)
{
	struct host *h = &in->host;
	struct buf b = {0};
	struct perr e = {0};

	snprintf(h->s_mountinfo.path, sizeof(h->s_mountinfo.path), "proc/1/mountinfo");
	int rc = sysroot_read_deadline(r, "proc/1/mountinfo", &b);
	if (rc == 0)
		parsed(in, &h->s_mountinfo, proc_mountinfo_parse(b.data, &h->mounts, &e), &e);
	else
		snprintf(h->s_mountinfo.why, sizeof(h->s_mountinfo.why), "proc/1/mountinfo: %s", sysroot_why(r));
	buf_free(&b);
}

static void read_host(struct sysroot *r, struct inputs *in)
{
	read_host_identity(r, in);
	read_sysctls(r, in);
	read_net_queues(r, &in->host);
	read_irq_affinities(r, &in->host);
	read_bdis(r, &in->host);
	read_mounts(r, in);
}

void sample_free(struct sample *s)
{
	proc_stat_free(&s->stat);
	kvtab_free(&s->meminfo);
	kvtab_free(&s->vmstat);
	irq_table_free(&s->interrupts);
	irq_table_free(&s->softirqs);
	softnet_free(&s->softnet);
	for (size_t i = 0; i < s->nprocs; i++) {
		free(s->procs[i].cmdline);
		free(s->procs[i].wchan);
		free(s->procs[i].status);
		free(s->procs[i].vma);
		kstack_free(&s->procs[i].stack);
	}
	free(s->procs);
	*s = (struct sample){0};
}

void inputs_free(struct inputs *in)
{
	struct host *h = &in->host;
	if (in->prev) {
		sample_free(in->prev);
		free(in->prev);
	}
	sample_free(&in->cur);
	kvtab_free(&h->sysctl);
	free(h->queues);
	free(h->irqs);
	free(h->bdis);
	mounts_free(&h->mounts);
	free(in->pids);
	free(in->unreadable);
	free(in->errors);
	view_free(&in->view);
	*in = (struct inputs){0};
}

/* kstall/meta, kstall's own key=value file, read as strictly as a /proc
 * file: every key it needs, each in range, or -EINVAL with why (absent:
 * -ENOENT). A snapshot from elsewhere may carry anything here. */
static int parse_meta(const char *text, double *interval, double *t0, double *t1, double *hz, struct perr *e)
{
	static const char *const keys[] = {"kstall_snapshot_version", "interval_s", "t0", "t1", "user_hz"};
	double v[5];
	bool seen[5] = {0};
	struct line_iter it;
	const char *l;
	size_t len;

	line_iter_init(&it, text);
	while (line_iter_next(&it, &l, &len)) {
		const char *eq = memchr(l, '=', len);
		if (!eq)
			return perr_set(e, it.lineno, "expected key=value");
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			if ((size_t)(eq - l) != strlen(keys[k]) || strncmp(l, keys[k], strlen(keys[k])))
				continue;
			/* Written with %.17g or %.6f: strtod reads it back
			 * exactly (kstall never calls setlocale). */
			char num[64], *end;
			size_t vl = len - (size_t)(eq + 1 - l);
			if (!vl || vl >= sizeof(num))
				return perr_set(e, it.lineno, "%s: no number", keys[k]);
			memcpy(num, eq + 1, vl);
			num[vl] = '\0';
			v[k] = strtod(num, &end);
			if (*end || !isfinite(v[k]) || strchr(num, 'x') || strchr(num, 'X'))
				return perr_set(e, it.lineno, "%s: not a decimal number", keys[k]);
			seen[k] = true;
		}
	}
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
		if (!seen[k])
			return perr_set(e, 0, "%s is missing", keys[k]);
	if (v[0] != 1)
		return perr_set(e, 0, "kstall_snapshot_version %g: this kstall reads version 1", v[0]);
	if (v[1] != 0 && !(v[1] >= 0.001 && v[1] <= 86400))
		return perr_set(e, 0, "interval_s %g: not 0 (one sample) or 0.001 to 86400 s", v[1]);
	for (int k = 2; k <= 3; k++)
		if (!(v[k] >= 0 && v[k] <= 4102444800.0)) /* 2100-01-01 */
			return perr_set(e, 0, "%s %g: not a time between 1970 and 2100", keys[k], v[k]);
	if (v[1] > 0 && v[3] < v[2])
		return perr_set(e, 0, "t1 is before t0");
	if (!(v[4] >= 1 && v[4] <= 100000 && v[4] == (double)(long)v[4]))
		return perr_set(e, 0, "user_hz %g: not 1 to 100000", v[4]);
	*interval = v[1], *t0 = v[2], *t1 = v[3], *hz = v[4];
	return 0;
}

static int read_meta(struct sysroot *r, double *interval, double *t0, double *t1, double *hz, struct perr *e)
{
	struct buf b = {0};
	if (sysroot_read(r, SNAPSHOT_META, &b) < 0)
		return perr_set(e, 0, "%s", sysroot_why(r)), -ENOENT;
	int rc = parse_meta(b.data, interval, t0, t1, hz, e);
	buf_free(&b);
	return rc;
}

void collect_sample(struct sysroot *r, struct inputs *in, struct sample *s, unsigned flags)
{
	s->t_mono = now_monotonic();
	s->t_real = now_realtime();
	read_sample(r, "", in, s, flags);
}

int collect_host(struct sysroot *r, const struct collect_opts *o, struct inputs *in)
{
	*in = (struct inputs){0};
	if (o->npids) {
		in->pids = xcalloc(o->npids, sizeof(int));
		memcpy(in->pids, o->pids, o->npids * sizeof(int));
		in->npids = o->npids;
	}
	in->live = sysroot_is_live(r);
	if (!sysroot_exists(r, "proc"))
		return -ENOENT; /* not a root tree: no proc/ at all */
	read_host(r, in);
	return 0;
}

int collect(struct sysroot *r, const struct collect_opts *o, struct inputs *in)
{
	int rc = collect_host(r, o, in);
	if (rc < 0)
		return rc;

	if (in->live) {
		in->prev = xcalloc(1, sizeof(*in->prev));
		sysroot_capture_sample(r, 0);
		collect_sample(r, in, in->prev, 0);
		double until = in->prev->t_mono + o->interval_s;
		for (double now; (now = now_monotonic()) < until;) {
			double d = until - now;
			struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
			nanosleep(&ts, NULL);
		}
		sysroot_capture_sample(r, 1);
		collect_sample(r, in, &in->cur, SAMPLE_DETAILS | SAMPLE_MAPS);
		in->interval_s = in->cur.t_mono - in->prev->t_mono;
		in->mode = WINDOW_INTERVAL;
		in->window_source = "live";
	} else {
		double interval = 0, t0 = 0, t1 = 0, hz = 0;
		struct perr e = {0};
		/* A snapshot (a tree with kstall/) writes kstall/meta last:
		 * without a whole one it was cut short (a full disk, a kill),
		 * and must not read as a smaller host. */
		bool snapshot = sysroot_exists(r, "kstall");
		if (snapshot && read_meta(r, &interval, &t0, &t1, &hz, &e) < 0) {
			add_error(in, SNAPSHOT_META, &e);
			return -EBADMSG;
		}
		read_sample(r, "", in, &in->cur, SAMPLE_DETAILS | SAMPLE_MAPS);
		if (snapshot && interval > 0 && sysroot_exists(r, SNAPSHOT_SAMPLE0 "proc")) {
			in->prev = xcalloc(1, sizeof(*in->prev));
			read_sample(r, SNAPSHOT_SAMPLE0, in, in->prev, 0);
			in->prev->t_real = t0;
			in->cur.t_real = t1;
			in->interval_s = interval;
			in->mode = WINDOW_INTERVAL;
			in->window_source = "snapshot";
			in->host.user_hz = (unsigned)hz; /* 1 to 100000: parse_meta checked */
		} else {
			in->mode = WINDOW_SINCE_BOOT;
			in->window_source = "root";
		}
	}
	view_update(in);
	return 0;
}

static void name_from(char *comm, size_t n, const struct sample *s, uint32_t pid)
{
	const struct proc_entry *p = sample_proc(s, (int)pid);
	if (p && p->stat.comm[0])
		snprintf(comm, n, "%s", p->stat.comm);
}

void traced_name_from_sample(struct traced *t, const struct sample *s)
{
	for (size_t i = 0; i < t->nhists; i++)
		if (!tr_kind_is_irq(t->hists[i].kind)) /* their tgid is a CPU */
			name_from(t->hists[i].comm, sizeof(t->hists[i].comm), s, t->hists[i].tgid);
	for (size_t i = 0; i < t->nlookups; i++)
		name_from(t->lookups[i].comm, sizeof(t->lookups[i].comm), s, t->lookups[i].tgid);
	for (size_t i = 0; i < t->nevents; i++) {
		struct tr_event *e = &t->events[i];
		if (tr_kind_is_irq(e->kind))
			continue;
		if (e->tid == e->tgid)
			name_from(e->comm, sizeof(e->comm), s, e->tgid);
		if (e->ml.present && e->ml.tid == e->ml.tgid)
			name_from(e->ml.comm, sizeof(e->ml.comm), s, e->ml.tgid);
	}
}

/* The tracer's engine: plan, load, seed, attach, poll and read, derived
 * from the mechanisms' descriptors (mechanism.h, registry.c). What is
 * here is shared by every mechanism: the pid filter (-p, -c, children
 * followed), the ring buffer of outliers, the wait histograms (`hists`),
 * the loss counters and kstall's own BPF cost. */
#include "mechanism.h"
#include "../proc/proc.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <sys/resource.h>
#include <time.h>

/* The kernel's BPF run-time statistics cost two clock reads per program
 * run (about 180 ns per syscall here, more than kstall's programs), so
 * they are on for STATS_ON_S out of every STATS_PERIOD_S and the cost of
 * the whole window is extrapolated from those samples. */
#define STATS_ON_S 1.0
#define STATS_PERIOD_S 10.0
#define STATS_FIRST_S 2.0

static void stats_tick(struct tracer *t);

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's own messages only when asked for: kstall says what it
	 * skipped and why in its report instead of dumping loader logs. */
	if (level == LIBBPF_WARN && getenv("KSTALL_DEBUG_BPF"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

const char *tracer_unavailable(struct sysroot *r)
{
	if (geteuid() != 0)
		return "live tracing needs root (or CAP_BPF and CAP_PERFMON): run kstall as root";
	if (!sysroot_is_live(r))
		return "live tracing needs the live host, not a captured tree";
	if (!sysroot_exists(r, "sys/kernel/btf/vmlinux"))
		return "this kernel has no BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF): "
		       "kstall's tp_btf tracing cannot attach";
	return NULL;
}

static bool has_tracepoint(const struct btf *vmlinux, const char *tp)
{
	char name[128];
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) >= 0;
}

/* A detail's name from the mechanism of its kind, if it has one; name
 * is left as it is otherwise. */
static void detail_name(struct tracer *t, unsigned kind, uint64_t detail, char *name, size_t n)
{
	for (size_t i = 0; i < ntr_mechanisms; i++) {
		const char *s = tr_mechanisms[i]->detail_name ? tr_mechanisms[i]->detail_name(t, kind, detail) : NULL;
		if (s) {
			snprintf(name, n, "%s", s);
			return;
		}
	}
}

static int handle_event(void *ctx, void *data, size_t len)
{
	struct tracer *t = ctx;
	const struct ks_event *e = data;

	if (len < sizeof(*e))
		return 0;
	if (e->type != KS_EV_WAIT) {
		for (size_t i = 0; i < ntr_mechanisms; i++)
			if (tr_mechanisms[i]->ring && tr_mechanisms[i]->ring(t, e))
				break;
		return 0;
	}
	if (t->nevents >= TR_MAX_EVENTS) {
		t->events_not_kept++;
		return 0;
	}
	ARRAY_GROW(t->events, t->nevents, t->capevents);
	struct tr_event *x = &t->events[t->nevents++];
	*x = (struct tr_event){.kind = e->kind, .tid = e->tid, .tgid = e->tgid, .dur_ns = e->dur_ns,
			       .detail = e->detail, .extra1 = e->extra1, .extra2 = e->extra2};
	snprintf(x->comm, sizeof(x->comm), "%.*s", KS_COMM_LEN, e->comm);
	for (size_t i = 0; i < ntr_mechanisms; i++)
		if (tr_mechanisms[i]->outlier)
			tr_mechanisms[i]->outlier(x, e);
	/* bpf_ktime_get_ns is CLOCK_MONOTONIC, like now_monotonic(). */
	x->t_s = (double)e->ts_ns / 1e9 - t->t0;
	return 0;
}

/* Seed the pid filter from -p and from every cgroup.procs under -c. */
static int add_cgroup_pids(struct tracer *t, const char *dir, int depth)
{
	char **ents = NULL;
	struct buf b = {0};
	char path[512];
	int n = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (sysroot_read(t->root, path, &b) < 0)
		return depth == 0 ? -ENOENT : 0;
	for (char *p = b.data, *end; p && *p; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		__u32 k = (__u32)pid;
		__u8 one = 1;
		if (bpf_map__update_elem(t->skel->maps.pids, &k, sizeof(k), &one, sizeof(one), BPF_ANY) == 0)
			n++;
		while (*end == '\n')
			end++;
	}
	buf_free(&b);
	if (depth < 16 && sysroot_list(t->root, dir, &ents) == 0) {
		for (char **e = ents; *e; e++) {
			snprintf(path, sizeof(path), "%s/%s", dir, *e);
			char probe[600];
			snprintf(probe, sizeof(probe), "%s/cgroup.procs", path);
			if (sysroot_exists(t->root, probe))
				n += add_cgroup_pids(t, path, depth + 1);
		}
		strv_free(ents);
	}
	return n;
}

/* The groups whose own tracepoints are all there; the first one missing
 * of each of the others, by bit. */
static unsigned plan_available(bool (*has)(void *ctx, const char *tracepoint), void *ctx, const char *missing[32])
{
	unsigned avail = 0;
	FOR_EACH_GROUP(i, g) {
		unsigned bit = (unsigned)__builtin_ctz(g->group);
		missing[bit] = NULL;
		for (const char *const *tp = g->tracepoints; tp && *tp && !missing[bit]; tp++)
			if (!has(ctx, *tp))
				missing[bit] = *tp;
		if (!missing[bit])
			avail |= g->group;
	}
	return avail;
}

/* Of those available, the groups that run: a fallback only where what it
 * stands in for does not, a dependent group only with one it requires. */
static unsigned plan_resolve(unsigned avail)
{
	unsigned run = avail;
	FOR_EACH_GROUP(i, g)
		if (g->fallback_for && (run & g->fallback_for))
			run &= ~g->group;
	FOR_EACH_GROUP(i, g)
		if (g->requires && !(run & g->requires))
			run &= ~g->group;
	return run;
}

/* Why each group that does not run does not, in bit order. A fallback
 * left unused needs no word. */
static void plan_notes(unsigned run, const char *const missing[32], struct tg_notes *notes)
{
	for (unsigned bit = 0; bit < 32; bit++) {
		const struct tr_group *g = tr_group_of(1u << bit), *f;
		if (!g || (run & g->group))
			continue;
		if (missing[bit] && (f = tracer_fallback_running(run, g->group)))
			tg_notes_add(notes, g->group, false, "this kernel has no %s tracepoint: %s", missing[bit],
				     f->fallback_note);
		else if (missing[bit])
			tg_notes_add(notes, g->group, false, "this kernel has no %s tracepoint", missing[bit]);
		else if (g->requires) {
			struct buf names = {0};
			tg_names(g->requires, " or ", &names);
			tg_notes_add(notes, g->group, false, "runs only with %s, which does not run here", names.data);
			buf_free(&names);
		}
	}
}

static unsigned plan(bool (*has)(void *ctx, const char *tracepoint), void *ctx, unsigned *ret_available,
		     struct tg_notes *notes)
{
	const char *missing[32] = {0};
	unsigned avail = plan_available(has, ctx, missing);
	unsigned run = plan_resolve(avail);
	plan_notes(run, missing, notes);
	*ret_available = avail;
	return run;
}

unsigned tracer_plan(bool (*has)(void *ctx, const char *tracepoint), void *ctx, struct tg_notes *notes)
{
	unsigned avail;
	return plan(has, ctx, &avail, notes);
}

void tracer_drop(struct tracer *t, unsigned group, const char *fmt, ...)
{
	va_list ap;
	char *reason;

	if (!(t->groups & group))
		return;
	va_start(ap, fmt);
	if (vasprintf(&reason, fmt, ap) < 0)
		abort();
	va_end(ap);
	t->groups &= ~group;
	tg_notes_add(&t->notes, group, false, "%s", reason);
	FOR_EACH_GROUP(i, g)
		if ((g->requires & group) && (t->groups & g->group) && !(t->groups & g->requires)) {
			t->groups &= ~g->group;
			tg_notes_add(&t->notes, g->group, false, "%s", reason);
		}
	free(reason);
}

void tracer_keep_link(struct tracer *t, const struct bpf_program *p, struct bpf_link *l)
{
	if (t->nlinks >= ARRAY_SIZE(t->links)) {
		bpf_link__destroy(l); /* not reached: TR_MAX_LINKS covers every event kstall attaches */
		return;
	}
	t->link_progs[t->nlinks] = p;
	t->links[t->nlinks++] = l;
}

static bool btf_has(void *ctx, const char *tp)
{
	return has_tracepoint(ctx, tp);
}

/* Open the skeleton and set what every mechanism shares. */
static int tracer_open(struct tracer *t, const struct trace_opts *o, char *why, size_t whylen)
{
	t->skel = kstall_bpf__open();
	if (!t->skel) {
		int err = -errno;
		snprintf(why, whylen, "cannot open kstall's BPF object: %s", strerror(errno));
		return err ? err : -EINVAL;
	}
	t->skel->rodata->threshold_ns = (__u64)(o->threshold_ms * 1e6);
	t->skel->rodata->filter_pids = o->npids > 0 || o->cgroup;
	t->skel->rodata->self_tgid = (__u32)getpid();
	return 0;
}

/* Decide what runs: the plan from the kernel's BTF, then each mechanism's
 * choices by the options. */
static void tracer_configure(struct tracer *t, const struct trace_opts *o, const struct btf *vmlinux)
{
	t->groups = plan(btf_has, (void *)vmlinux, &t->available, &t->notes);
	/* Failed lookups and mmap/munmap: those syscalls' own events when
	 * tracefs is there (other syscalls then pay almost nothing), else raw
	 * sys_enter/sys_exit, which every syscall runs. */
	t->per_syscall = o->syscall_tracepoints;
	for (size_t i = 0; i < ntr_mechanisms; i++)
		if (tr_mechanisms[i]->configure)
			tr_mechanisms[i]->configure(t, o);
}

static int set_autoload(struct tracer *t, const char *const *names, bool on, char *why, size_t whylen)
{
	for (const char *const *n = names; n && *n; n++) {
		struct bpf_program *p = bpf_object__find_program_by_name(t->skel->obj, *n);
		if (!p) {
			snprintf(why, whylen, "kstall's BPF object has no program %s (src/trace descriptors)", *n);
			return -ENOENT;
		}
		bpf_program__set_autoload(p, on);
	}
	return 0;
}

/* A program a descriptor lists loads only where a group it serves runs,
 * in the way of attaching chosen (per-syscall events or raw). */
static int tracer_autoload(struct tracer *t, const struct btf *vmlinux, char *why, size_t whylen)
{
	int err = 0;
	FOR_EACH_GROUP(i, g) {
		if (!err)
			err = set_autoload(t, g->progs, false, why, whylen);
		if (!err)
			err = set_autoload(t, g->syscall_progs, false, why, whylen);
		if (!err)
			err = set_autoload(t, g->raw_progs, false, why, whylen);
	}
	FOR_EACH_GROUP(i, g) {
		if (err || !(t->groups & g->group))
			continue;
		err = set_autoload(t, g->progs, true, why, whylen);
		if (!err)
			err = set_autoload(t, t->per_syscall ? g->syscall_progs : g->raw_progs, true, why, whylen);
	}
	/* Children of watched processes are followed where the kernel can
	 * say, and forgotten when they exit; without -p/-c neither runs. */
	bool filter = t->skel->rodata->filter_pids;
	if (!filter || !has_tracepoint(vmlinux, "sched_process_fork"))
		bpf_program__set_autoload(t->skel->progs.follow_fork, false);
	if (filter && has_tracepoint(vmlinux, "sched_process_exit"))
		bpf_program__set_autoload(t->skel->progs.on_exit, true); /* shared with dcache */
	for (size_t i = 0; !err && i < ntr_mechanisms; i++)
		if (tr_mechanisms[i]->autoload)
			tr_mechanisms[i]->autoload(t);
	return err;
}

/* After load: the pid filter, each mechanism's maps, the cgroup's pids. */
static int tracer_seed(struct tracer *t, const struct trace_opts *o, char *why, size_t whylen)
{
	for (size_t i = 0; i < o->npids; i++) {
		__u32 k = (__u32)o->pids[i];
		__u8 one = 1;
		bpf_map__update_elem(t->skel->maps.pids, &k, sizeof(k), &one, sizeof(one), BPF_ANY);
	}
	for (size_t i = 0; i < ntr_mechanisms; i++)
		if (tr_mechanisms[i]->seed)
			tr_mechanisms[i]->seed(t);
	if (o->cgroup) {
		const char *rel = o->cgroup;
		while (*rel == '/')
			rel++;
		if (add_cgroup_pids(t, rel, 0) < 0) {
			snprintf(why, whylen, "-c %s: no cgroup.procs there (give a cgroup directory, v1 or v2)", o->cgroup);
			return -ENOENT;
		}
	}
	return 0;
}

/* Load, seed, attach and open the ring buffer. */
static int tracer_load_attach(struct tracer *t, const struct trace_opts *o, char *why, size_t whylen)
{
	int err = kstall_bpf__load(t->skel);
	if (err) {
		snprintf(why, whylen, "the kernel refused kstall's BPF programs (%s); KSTALL_DEBUG_BPF=1 shows "
			 "the verifier's log", strerror(-err));
		return err;
	}
	err = tracer_seed(t, o, why, whylen);
	if (err)
		return err;
	err = kstall_bpf__attach(t->skel);
	if (err) {
		snprintf(why, whylen, "attaching kstall's tracepoints failed: %s", strerror(-err));
		return err;
	}
	for (size_t i = 0; i < ntr_mechanisms; i++)
		if (tr_mechanisms[i]->attach)
			tr_mechanisms[i]->attach(t);
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), handle_event, t, NULL);
	if (!t->rb) {
		err = -errno;
		snprintf(why, whylen, "cannot open the ring buffer: %s", strerror(errno));
		return err ? err : -EINVAL;
	}
	return 0;
}

int tracer_start(const struct trace_opts *o, struct tracer **ret, char *why, size_t whylen)
{
	const char *no = tracer_unavailable(o->root);
	struct tracer *t;
	int err;

	if (no) {
		snprintf(why, whylen, "%s", no);
		return -EPERM;
	}
	libbpf_set_print(quiet_libbpf);
	struct btf *vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux) {
		snprintf(why, whylen, "cannot load kernel BTF: %s", strerror(errno));
		return -ENOENT;
	}
	t = xcalloc(1, sizeof(*t));
	t->root = o->root;
	t->stats_fd = -1;
	t->budget = o->budget_pct / 100;
	err = tracer_open(t, o, why, whylen);
	if (!err) {
		/* Switch off what this kernel lacks; a group runs only if all
		 * its tracepoints are there. */
		t->vmlinux = vmlinux;
		tracer_configure(t, o, vmlinux);
		err = tracer_autoload(t, vmlinux, why, whylen);
		t->vmlinux = NULL;
	}
	if (!err)
		err = tracer_load_attach(t, o, why, whylen);
	btf__free(vmlinux);
	if (err) {
		tracer_stop(t);
		return err;
	}
	/* Run-time statistics of BPF programs, for kstall's own cost. Held
	 * by an fd: the kernel switches them off when kstall exits. */
	t->t0 = now_monotonic();
	/* First sample after STATS_FIRST_S of warm-up, then one per period. */
	t->stats_since = t->t0 + STATS_FIRST_S - STATS_PERIOD_S;
	*ret = t;
	return 0;
}

static void stats_tick(struct tracer *t)
{
	double now = now_monotonic();
	if (t->stats_fd >= 0 && now - t->stats_since >= STATS_ON_S) {
		tracer_budget_end(t, now - t->stats_since);
		close(t->stats_fd);
		t->stats_fd = -1;
		t->stats_sampled += now - t->stats_since;
	} else if (t->stats_fd < 0 && now - t->stats_since >= STATS_PERIOD_S) {
		t->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		t->stats_since = now;
		if (t->stats_fd >= 0)
			tracer_budget_begin(t);
		t->stats_ok |= t->stats_fd >= 0;
	}
}

int tracer_poll(struct tracer *t, int timeout_ms)
{
	int n = ring_buffer__poll(t->rb, timeout_ms);
	stats_tick(t);
	return n == -EINTR ? 0 : n;
}

unsigned tracer_groups(const struct tracer *t)
{
	return t->groups;
}

const struct tg_notes *tracer_notes(const struct tracer *t)
{
	return &t->notes;
}

static uint64_t stat_sum(struct tracer *t, __u32 which)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t sum = 0;
	if (ncpu <= 0)
		return 0;
	__u64 *vals = xcalloc((size_t)ncpu, sizeof(__u64));
	if (bpf_map__lookup_elem(t->skel->maps.stats, &which, sizeof(which), vals, sizeof(__u64) * (size_t)ncpu, 0) == 0)
		for (int i = 0; i < ncpu; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

void tracer_hist_from_map(struct tr_hist *x, const struct ks_hist_key *k, const struct ks_hist *h)
{
	*x = (struct tr_hist){.tgid = k->tgid, .kind = k->kind, .detail = k->detail, .count = h->count,
			      .sum_ns = h->sum_ns, .max_ns = h->max_ns, .extra1 = h->extra1, .extra2 = h->extra2,
			      .max_tid = h->max_tid, .untimed = h->untimed};
	memcpy(x->slots, h->slots, sizeof(x->slots));
	snprintf(x->comm, sizeof(x->comm), "%.*s", KS_COMM_LEN, h->comm);
}

void tracer_add_hist(struct tracer *t, const struct ks_hist_key *k, const struct ks_hist *h, struct traced *out)
{
	ARRAY_GROW(out->hists, out->nhists, out->caphists);
	struct tr_hist *x = &out->hists[out->nhists++];
	tracer_hist_from_map(x, k, h);
	detail_name(t, k->kind, k->detail, x->name, sizeof(x->name));
}

size_t tracer_read_hists(struct tracer *t, const struct bpf_map *m, struct traced *out)
{
	struct ks_hist_key k, next;
	struct ks_hist h;
	void *prev = NULL;
	size_t n = 0;

	while (bpf_map__get_next_key(m, prev, &next, sizeof(next)) == 0) {
		k = next;
		prev = &k;
		if (bpf_map__lookup_elem(m, &k, sizeof(k), &h, sizeof(h), 0))
			continue;
		tracer_add_hist(t, &k, &h, out);
		n++;
	}
	return n;
}

/* kstall's own cost: the programs' run time, extrapolated from the
 * sampled seconds to the whole window. */
static void read_bpf_stats(struct tracer *t, struct traced *out)
{
	out->has_bpf_stats = t->stats_ok;
	struct bpf_program *p;
	double run_s = 0, cnt = 0;
	bpf_object__for_each_program(p, t->skel->obj) {
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);
		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
			run_s += (double)info.run_time_ns / 1e9;
			cnt += (double)info.run_cnt;
			out->nattached++;
		}
	}
	double sampled = t->stats_sampled + (t->stats_fd >= 0 ? now_monotonic() - t->stats_since : 0);
	out->bpf_stats_sampled_s = sampled;
	if (sampled > 0 && out->duration_s > 0) {
		double scale = out->duration_s / sampled;
		out->bpf_run_s = run_s * (scale > 1 ? scale : 1);
		out->bpf_run_cnt = (uint64_t)(cnt * (scale > 1 ? scale : 1));
	}
}

/* The maps' memory, by the kernel's own figure: the memlock line of each
 * map's fdinfo (per-CPU copies included). A kernel without it: max_entries
 * times key and value (a ring buffer: its bytes), per possible CPU for a
 * per-CPU map. */
static void read_map_bytes(struct tracer *t, struct traced *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct bpf_map *m;

	out->has_bpf_map_bytes = true;
	bpf_object__for_each_map(m, t->skel->obj) {
		char path[64];
		struct buf b = {0};
		uint64_t v;
		int fd = bpf_map__fd(m);
		if (fd < 0)
			continue;
		snprintf(path, sizeof(path), "proc/self/fdinfo/%d", fd);
		if (sysroot_read_self(t->root, path, &b) == 0 && proc_field_u64(b.data, "memlock", &v, NULL) == 0) {
			out->bpf_map_bytes += v;
		} else {
			enum bpf_map_type ty = bpf_map__type(m);
			bool percpu = ty == BPF_MAP_TYPE_PERCPU_ARRAY || ty == BPF_MAP_TYPE_PERCPU_HASH ||
				      ty == BPF_MAP_TYPE_LRU_PERCPU_HASH;
			uint64_t entry = ty == BPF_MAP_TYPE_RINGBUF ? 1 : bpf_map__key_size(m) + bpf_map__value_size(m);
			out->bpf_map_bytes += (uint64_t)bpf_map__max_entries(m) * entry * (percpu && ncpu > 0 ? ncpu : 1);
		}
		buf_free(&b);
	}
}

int tracer_read(struct tracer *t, struct traced *out)
{
	*out = (struct traced){0};
	tracer_poll(t, 0);
	out->duration_s = now_monotonic() - t->t0;
	out->threshold_ms = (double)t->skel->rodata->threshold_ns / 1e6;
	out->groups = t->groups;
	tracer_read_hists(t, t->skel->maps.hists, out);
	for (size_t i = 0; i < ntr_mechanisms; i++)
		if (tr_mechanisms[i]->read)
			tr_mechanisms[i]->read(t, out);
	out->vmops_pruned = t->vmops_pruned;
	for (size_t i = 0; i < t->nevents; i++) {
		ARRAY_GROW(out->events, out->nevents, out->capevents);
		out->events[out->nevents] = t->events[i];
		detail_name(t, t->events[i].kind, t->events[i].detail, out->events[out->nevents].name,
			    sizeof(out->events[0].name));
		out->nevents++;
	}
	out->events_not_kept = t->events_not_kept;
	/* Each counter of the stats map into its field (src/bpf/stats.h). */
#define KS_STAT(id, field, what) out->field = stat_sum(t, KS_STAT_##id);
#include "../bpf/stats.h"
#undef KS_STAT
	out->paths_not_kept = t->paths_not_kept;

	read_bpf_stats(t, out);
	read_map_bytes(t, out);
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		out->user_cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
				  (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	return 0;
}

void tracer_stop(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	for (size_t i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	kstall_bpf__destroy(t->skel);
	if (t->stats_fd >= 0)
		close(t->stats_fd);
	for (size_t i = 0; i < t->npaths; i++)
		pattern_set_free(&t->paths[i].set);
	free(t->paths);
	free(t->events);
	free(t->syms);
	free(t->retired);
	free(t->budget_ns);
	tg_notes_free(&t->notes);
	free(t);
}

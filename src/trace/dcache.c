/* Failed path lookups (seed 002): which processes look up missing paths,
 * at what rate and on which patterns. With tracefs, the programs are
 * attached to each path-taking syscall's own events, so that other
 * syscalls pay almost nothing; without, to raw sys_enter/sys_exit, which
 * every syscall runs. Sampled paths come through the ring buffer; the
 * counts per process are the `lookups` map, and those of exited
 * processes, folded by parent and name, `lookup_groups`. */
#include "mechanism.h"

#include <bpf/btf.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

/* Path-taking syscalls of this architecture: the argument holding the
 * path (1-based), and the name of their trace events (sys_enter_NAME). */
static const struct {
	long nr;
	unsigned arg;
	const char *event;
} path_syscalls[] = {
#ifdef SYS_open
	{SYS_open, 1 | KS_PATH_OPENS, "open"},
#endif
#ifdef SYS_stat
	{SYS_stat, 1, "newstat"},
#endif
#ifdef SYS_lstat
	{SYS_lstat, 1, "newlstat"},
#endif
#ifdef SYS_access
	{SYS_access, 1, "access"},
#endif
#ifdef SYS_readlink
	{SYS_readlink, 1, "readlink"},
#endif
#ifdef SYS_newfstatat
	{SYS_newfstatat, 2, "newfstatat"},
#endif
#ifdef SYS_fstatat64
	{SYS_fstatat64, 2, "fstatat64"},
#endif
#ifdef SYS_statx
	{SYS_statx, 2, "statx"},
#endif
#ifdef SYS_openat2
	{SYS_openat2, 2 | KS_PATH_OPENS, "openat2"},
#endif
#ifdef SYS_faccessat2
	{SYS_faccessat2, 2, "faccessat2"},
#endif
	{SYS_openat, 2 | KS_PATH_OPENS, "openat"},
	{SYS_faccessat, 2, "faccessat"},
	{SYS_readlinkat, 2, "readlinkat"},
	{SYS_execve, 1, "execve"},
};
_Static_assert(2 * ARRAY_SIZE(path_syscalls) + 4 <= TR_MAX_LINKS, "links for path syscalls and mmap/munmap");

/* The samples of a process (group false: by tgid) or of a group (by
 * parent and name), or NULL. */
static struct lookup_paths *paths_find(struct tracer *t, bool group, uint32_t tgid, uint32_t ppid, const char *comm)
{
	for (size_t i = 0; i < t->npaths; i++) {
		struct lookup_paths *lp = &t->paths[i];
		if (lp->group == group &&
		    (group ? lp->ppid == ppid && !strncmp(lp->comm, comm, KS_COMM_LEN) : lp->tgid == tgid))
			return lp;
	}
	return NULL;
}

static struct lookup_paths *paths_add(struct tracer *t, bool group, uint32_t tgid, uint32_t ppid, const char *comm)
{
	ARRAY_GROW(t->paths, t->npaths, t->cappaths);
	struct lookup_paths *lp = &t->paths[t->npaths++];
	*lp = (struct lookup_paths){.tgid = tgid, .group = group, .ppid = ppid};
	memcpy(lp->comm, comm, KS_COMM_LEN);
	return lp;
}

/* A sampled failed path of a process, kept as patterns. */
static bool path_event(struct tracer *t, const struct ks_event *e)
{
	if (e->type != KS_EV_PATH)
		return false;
	struct lookup_paths *lp = paths_find(t, false, e->tgid, 0, NULL);
	if (!lp) {
		if (t->npaths >= 1024) { /* x PATTERN_SET_MAX: about 20 MB at worst */
			t->paths_not_kept++;
			return true;
		}
		lp = paths_add(t, false, e->tgid, 0, e->comm);
	}
	/* The parent (the event's detail) and name the kernel will file
	 * the process under when it exits: the latest sample's. */
	lp->ppid = (uint32_t)e->detail;
	memcpy(lp->comm, e->comm, KS_COMM_LEN);
	char path[KS_PATH_LEN + 1];
	snprintf(path, sizeof(path), "%.*s", KS_PATH_LEN, e->path);
	pattern_set_add(&lp->set, path, 1);
	return true;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* The samples of processes that have exited (not among the nlive tgids
 * of the lookups map, sorted) join those of their group, as their
 * counts did in the kernel. */
static void paths_retire(struct tracer *t, const uint32_t *live, size_t nlive)
{
	for (size_t i = 0; i < t->npaths;) {
		if (t->paths[i].group || (nlive && bsearch(&t->paths[i].tgid, live, nlive, sizeof(*live), u32_cmp))) {
			i++;
			continue;
		}
		struct lookup_paths gone = t->paths[i];
		t->paths[i] = t->paths[--t->npaths];
		struct lookup_paths *g = paths_find(t, true, 0, gone.ppid, gone.comm);
		if (!g)
			g = paths_add(t, true, gone.tgid, gone.ppid, gone.comm);
		for (size_t j = 0; j < gone.set.n; j++)
			pattern_set_add(&g->set, gone.set.v[j].example, gone.set.v[j].n);
		pattern_set_free(&gone.set);
	}
}

/* /proc/slabinfo's inode number on the root's procfs, where the kernel
 * can tell an open of it by its file (bpf_rdonly_cast, 6.2+), and
 * KSTALL_SLABINFO_BY_PATH is unset; else 0, and the path is compared.
 * The file is only looked up (sysroot_stat), never opened to be read. */
static __u64 slabinfo_ino(struct tracer *t)
{
	struct stat st;
	struct statfs sf;
	if (getenv("KSTALL_SLABINFO_BY_PATH") || !t->vmlinux ||
	    btf__find_by_name_kind(t->vmlinux, "bpf_rdonly_cast", BTF_KIND_FUNC) < 0 ||
	    sysroot_stat(t->root, "proc/slabinfo", &st, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC ||
	    !S_ISREG(st.st_mode))
		return 0;
	return (__u64)st.st_ino;
}

/* One exit program of the two: the path's or the file's. */
static void autoload(struct tracer *t)
{
	if (!t->per_syscall || !(t->groups & TG_LOOKUPS))
		return;
	bool by_file = t->skel->rodata->slabinfo_ino != 0;
	bpf_program__set_autoload(by_file ? t->skel->progs.path_tp_exit : t->skel->progs.path_tp_exit_file, false);
}

static void configure(struct tracer *t, const struct trace_opts *o UNUSED)
{
	if (!t->per_syscall)
		t->skel->rodata->raw_lookups = t->groups & TG_LOOKUPS;
	/* Where the kernel lends a task's saved registers, the exit reads the
	 * path there and no entry program runs (it was half the cost). */
	else
		t->skel->rodata->args_at_exit = libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs,
									NULL) > 0;
	t->skel->rodata->slabinfo_ino = t->skel->rodata->args_at_exit ? slabinfo_ino(t) : 0;
	/* on_exit (shared with the pid filter) folds exited processes */
	t->skel->rodata->exit_lookups = (t->groups & TG_LOOKUPS) != 0;
}

static void seed(struct tracer *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(path_syscalls); i++) {
		__u32 k = (__u32)path_syscalls[i].nr, v = path_syscalls[i].arg;
		if (k < 512)
			bpf_map__update_elem(t->skel->maps.path_syscalls, &k, sizeof(k), &v, sizeof(v), BPF_ANY);
	}
}

static void attach(struct tracer *t)
{
	unsigned entered = 0;
	if (!t->per_syscall || !(t->groups & TG_LOOKUPS))
		return;
	bool enter = !t->skel->rodata->args_at_exit;
	struct bpf_program *exit_prog =
		t->skel->rodata->slabinfo_ino ? t->skel->progs.path_tp_exit_file : t->skel->progs.path_tp_exit;
	for (size_t i = 0; i < ARRAY_SIZE(path_syscalls); i++) {
		char name[64];
		struct bpf_link *l;
		snprintf(name, sizeof(name), "sys_exit_%s", path_syscalls[i].event);
		l = bpf_program__attach_tracepoint(exit_prog, "syscalls", name);
		if (!l)
			continue; /* this kernel has no such syscall */
		tracer_keep_link(t, exit_prog, l);
		entered++;
		if (!enter)
			continue;
		snprintf(name, sizeof(name), "sys_enter_%s", path_syscalls[i].event);
		l = bpf_program__attach_tracepoint(t->skel->progs.path_tp_enter, "syscalls", name);
		if (l)
			tracer_keep_link(t, t->skel->progs.path_tp_enter, l);
	}
	if (!entered)
		tracer_drop(t, TG_LOOKUPS, "no syscalls:sys_exit_* event of a path syscall could be attached");
}

/* A kernel time as seconds since tracing began (0: none). */
static double since_t0(const struct tracer *t, __u64 ns)
{
	double s = ns ? (double)ns / 1e9 - t->t0 : 0;
	return s > 0 ? s : 0;
}

/* An entry of either map, its patterns left for read_lookups. */
static void lookup_from_map(const struct tracer *t, const struct ks_lookup *v, bool group, struct tr_lookup *x)
{
	*x = (struct tr_lookup){.tgid = v->tgid, .failed = v->failed, .calls = v->calls, .known = true,
				.group = group, .ppid = v->ppid, .procs = v->procs, .first_s = since_t0(t, v->first_ns),
				.last_s = since_t0(t, v->last_ns), .slab_opens = v->slab_opens,
				.slab_procs = v->slab_procs, .slab_first_s = since_t0(t, v->slab_first_ns),
				.slab_last_s = since_t0(t, v->slab_last_ns),
				.slab_gap_max_s = (double)v->slab_gap_max_ns / 1e9};
	snprintf(x->comm, sizeof(x->comm), "%.*s", KS_COMM_LEN, v->comm);
	snprintf(x->pcomm, sizeof(x->pcomm), "%.*s", KS_COMM_LEN, v->pcomm);
}

/* Every entry of map m (lookups, by tgid; lookup_groups, by parent and
 * name) into out; the tgids of lookups' into *ret_live. */
static void read_lookup_map(struct tracer *t, const struct bpf_map *m, bool group, struct traced *out,
			    uint32_t **ret_live, size_t *ret_nlive)
{
	union {
		__u32 tgid;
		struct ks_lookup_group g;
	} k, next;
	size_t ksz = group ? sizeof(k.g) : sizeof(k.tgid), cap = 0;
	void *prev = NULL;
	struct ks_lookup v;

	while (bpf_map__get_next_key(m, prev, &next, ksz) == 0) {
		k = next;
		prev = &k;
		if (bpf_map__lookup_elem(m, &k, ksz, &v, sizeof(v), 0))
			continue;
		if (!group) {
			ARRAY_GROW(*ret_live, *ret_nlive, cap);
			(*ret_live)[(*ret_nlive)++] = k.tgid;
		}
		ARRAY_GROW(out->lookups, out->nlookups, out->caplookups);
		lookup_from_map(t, &v, group, &out->lookups[out->nlookups++]);
	}
}

/* Failed lookups and slabinfo opens per process, and per group of
 * exited processes, with the patterns of their sampled paths. Groups
 * first: a process that exits between the two reads is then missed in
 * this state (the next has it) rather than counted twice. */
static void read_lookups(struct tracer *t, struct traced *out)
{
	uint32_t *live = NULL;
	size_t nlive = 0, first = out->nlookups;

	read_lookup_map(t, t->skel->maps.lookup_groups, true, out, &live, &nlive);
	read_lookup_map(t, t->skel->maps.lookups, false, out, &live, &nlive);
	if (nlive > 1)
		qsort(live, nlive, sizeof(*live), u32_cmp);
	/* Samples follow their process into its group, as the counts did. */
	paths_retire(t, live, nlive);
	for (size_t i = first; i < out->nlookups; i++) {
		struct tr_lookup *x = &out->lookups[i];
		const struct lookup_paths *lp = paths_find(t, x->group, x->tgid, x->ppid, x->comm);
		for (size_t j = 0; lp && j < lp->set.n; j++)
			pattern_set_add(&x->patterns, lp->set.v[j].example, lp->set.v[j].n);
		pattern_set_sort(&x->patterns);
	}
	free(live);
}

const struct tr_mechanism tr_dcache = {
	.name = "dcache",
	.groups = (const struct tr_group[]){
		/* Per-syscall events have no BTF type to probe: the raw pair stands for them. */
		{.group = TG_LOOKUPS,
		 .tracepoints = TR_LIST("sys_enter", "sys_exit", "sched_process_exit"),
		 .progs = TR_LIST("on_exit"),
		 .syscall_progs = TR_LIST("path_tp_enter", "path_tp_exit", "path_tp_exit_file"),
		 .raw_progs = TR_LIST("path_sys_enter", "path_sys_exit")},
		{0},
	},
	.configure = configure,
	.autoload = autoload,
	.seed = seed,
	.attach = attach,
	.ring = path_event,
	.read = read_lookups,
};

/* Failed path lookups (seed 002): which processes look up missing paths,
 * at what rate and on which patterns. With tracefs, the programs are
 * attached to each path-taking syscall's own events, so that other
 * syscalls pay almost nothing; without, to raw sys_enter/sys_exit, which
 * every syscall runs. Sampled paths come through the ring buffer; the
 * counts per process are the `lookups` map. */
#include "mechanism.h"

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

/* A sampled failed path of a process, kept as patterns. */
static bool path_event(struct tracer *t, const struct ks_event *e)
{
	struct lookup_paths *lp = NULL;
	if (e->type != KS_EV_PATH)
		return false;
	for (size_t i = 0; i < t->npaths; i++)
		if (t->paths[i].tgid == e->tgid)
			lp = &t->paths[i];
	if (!lp) {
		if (t->npaths >= 1024) { /* x PATTERN_SET_MAX: about 20 MB at worst */
			t->paths_not_kept++;
			return true;
		}
		ARRAY_GROW(t->paths, t->npaths, t->cappaths);
		lp = &t->paths[t->npaths++];
		*lp = (struct lookup_paths){.tgid = e->tgid};
	}
	char path[KS_PATH_LEN + 1];
	snprintf(path, sizeof(path), "%.*s", KS_PATH_LEN, e->path);
	pattern_set_add(&lp->set, path, 1);
	return true;
}

static void configure(struct tracer *t, const struct trace_opts *o UNUSED)
{
	if (!t->per_syscall)
		t->skel->rodata->raw_lookups = t->groups & TG_LOOKUPS;
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
	for (size_t i = 0; i < ARRAY_SIZE(path_syscalls); i++) {
		char name[64];
		struct bpf_link *l;
		snprintf(name, sizeof(name), "sys_enter_%s", path_syscalls[i].event);
		l = bpf_program__attach_tracepoint(t->skel->progs.path_tp_enter, "syscalls", name);
		if (!l)
			continue; /* this kernel has no such syscall */
		tracer_keep_link(t, l);
		snprintf(name, sizeof(name), "sys_exit_%s", path_syscalls[i].event);
		l = bpf_program__attach_tracepoint(t->skel->progs.path_tp_exit, "syscalls", name);
		if (l)
			tracer_keep_link(t, l);
		entered++;
	}
	if (!entered)
		tracer_drop(t, TG_LOOKUPS, "no syscalls:sys_enter_* event of a path syscall could be attached");
}

/* Failed lookups per process, with the patterns of their sampled paths. */
static void read_lookups(struct tracer *t, struct traced *out)
{
	const struct bpf_map *lm = t->skel->maps.lookups;
	__u32 lk, lnext, *lprev = NULL;
	struct ks_lookup lv;

	while (bpf_map__get_next_key(lm, lprev, &lnext, sizeof(lnext)) == 0) {
		lk = lnext;
		lprev = &lk;
		if (bpf_map__lookup_elem(lm, &lk, sizeof(lk), &lv, sizeof(lv), 0))
			continue;
		ARRAY_GROW(out->lookups, out->nlookups, out->caplookups);
		struct tr_lookup *x = &out->lookups[out->nlookups++];
		*x = (struct tr_lookup){.tgid = lk, .failed = lv.failed, .calls = lv.calls};
		snprintf(x->comm, sizeof(x->comm), "%.*s", KS_COMM_LEN, lv.comm);
		for (size_t i = 0; i < t->npaths; i++)
			if (t->paths[i].tgid == lk)
				for (size_t j = 0; j < t->paths[i].set.n; j++) {
					const struct pattern_count *pc = &t->paths[i].set.v[j];
					pattern_set_add(&x->patterns, pc->example, pc->n);
				}
		pattern_set_sort(&x->patterns);
	}
}

const struct tr_mechanism tr_dcache = {
	.name = "dcache",
	.groups = (const struct tr_group[]){
		/* Per-syscall events have no BTF type to probe: the raw pair stands for them. */
		{.group = TG_LOOKUPS,
		 .tracepoints = TR_LIST("sys_enter", "sys_exit"),
		 .syscall_progs = TR_LIST("path_tp_enter", "path_tp_exit"),
		 .raw_progs = TR_LIST("path_sys_enter", "path_sys_exit")},
		{0},
	},
	.configure = configure,
	.seed = seed,
	.attach = attach,
	.ring = path_event,
	.read = read_lookups,
};

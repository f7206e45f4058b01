/* Failed path lookups (seed 002): the path syscalls that return ENOENT,
 * counted per process, with a sampled few paths per doubling of the
 * count sent to user space for pattern analysis. The syscalls' own
 * tracepoints call path_enter/path_exit, or the raw sys_enter/sys_exit
 * fallback in kstall.bpf.c does when raw_lookups.
 *
 * Opens of /proc/slabinfo ride the same programs (an open is a path
 * syscall): they are counted here, and read by the irq detector.
 *
 * Each process is counted in its own entry while it runs; when it exits,
 * its counts join those of the other exited processes with its parent
 * and name (lookups_exit), so that short-lived processes (a shell loop, a
 * cron job, a CGI) add up to their culprit, and the maps stay bounded. */
#ifndef KSTALL_DCACHE_BPF_H
#define KSTALL_DCACHE_BPF_H

#include "common.bpf.h"

#define ENOENT 2

const volatile __u32 path_samples_per_doubling = 32;
const volatile bool raw_lookups = false;
/* The per-syscall exit reads the path from the task's saved registers
 * (bpf_task_pt_regs, 5.15+): no entry program and no per-thread map,
 * the common path one array lookup. Otherwise the entry remembers it. */
const volatile bool args_at_exit = false;
/* /proc/slabinfo's inode number (user space stat()s it: no open, no
 * read), for path_tp_exit_file; 0 there: path_tp_exit. */
const volatile __u64 slabinfo_ino = 0;

/* A kernel pointer as a typed, read-only BTF pointer: loads through it
 * are checked loads, not helper calls (6.2+; only path_tp_exit_file,
 * loaded where the kernel has it, calls it). */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/* Which syscalls take a path, and in which argument (1-based); 0: not. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, __u32);
} path_syscalls SEC(".maps");

struct path_rec {
	__u64 path;
	__u32 nr;
	__u32 argn; /* the path_syscalls value */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct path_rec);
} inflight SEC(".maps");

/* Live processes' path syscalls: an entry leaves when its process exits
 * (lookups_exit), so the map holds the processes running, not every one
 * that ever ran. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct ks_lookup);
} lookups SEC(".maps");

/* Exited processes that failed a lookup or opened /proc/slabinfo, folded
 * by (parent, name). LRU: a group no process has joined while 4096 newer
 * ones were made is forgotten, so the map stays bounded however many
 * parents come and go (a build's thousands of compiler drivers). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ks_lookup_group);
	__type(value, struct ks_lookup);
} lookup_groups SEC(".maps");

/* Which argument of syscall nr is its path (its path_syscalls value),
 * 0 when it takes none. */
static __always_inline __u32 path_argn(long nr)
{
	if (nr < 0 || nr >= 512)
		return 0;
	__u32 k = (__u32)nr;
	__u32 *argn = bpf_map_lookup_elem(&path_syscalls, &k);
	return argn ? *argn : 0;
}

/* Failed path lookups: remember the path argument at entry... */
static __always_inline void path_enter(long nr, __u64 arg1, __u64 arg2)
{
	__u32 argn = path_argn(nr);
	if (!argn)
		return;
	__u64 id = bpf_get_current_pid_tgid();
	if (!wanted(id >> 32))
		return;
	struct path_rec r = {.nr = (__u32)nr, .argn = argn, .path = (argn & 0xff) == 1 ? arg1 : arg2};
	__u32 tid = (__u32)id;
	bpf_map_update_elem(&inflight, &tid, &r, BPF_ANY);
}

/* The path syscalls' own tracepoints (syscalls:sys_enter_openat, ...),
 * attached one by one by user space: other syscalls pay almost nothing. */
SEC("tracepoint")
int path_tp_enter(struct syscall_trace_enter *ctx)
{
	/* Per-syscall events lay out an int nr then the arguments (not the
	 * raw_syscalls layout with a long id). */
	path_enter(ctx->nr, BPF_CORE_READ(ctx, args[0]), BPF_CORE_READ(ctx, args[1]));
	return TP_PASS;
}

/* A process's entry, made at its first path syscall with its parent
 * (the shell or agent that started it) and its name; NULL (counted) when
 * the map is full. */
static __always_inline struct ks_lookup *lookup_get(__u32 tgid)
{
	struct ks_lookup *l = bpf_map_lookup_elem(&lookups, &tgid);
	if (l)
		return l;
	struct ks_lookup zero = {.tgid = tgid, .procs = 1};
	struct task_struct *parent = BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), real_parent);
	zero.ppid = BPF_CORE_READ(parent, tgid);
	BPF_CORE_READ_STR_INTO(&zero.pcomm, parent, group_leader, comm);
	bpf_get_current_comm(zero.comm, sizeof(zero.comm));
	bpf_map_update_elem(&lookups, &tgid, &zero, BPF_NOEXIST);
	l = bpf_map_lookup_elem(&lookups, &tgid);
	if (!l)
		stat_inc(KS_STAT_LOOKUPS_FULL);
	return l;
}

/* Periodic readers of /proc/slabinfo (seed 003): SLUB counts each cache's
 * partial slabs with interrupts off. A successful open of that absolute
 * path is counted in the process's entry, with its first and latest time
 * and the longest gap between two; the path is compared as two 8-byte
 * words, not read as a string. */
static __always_inline bool is_slabinfo(__u64 path)
{
	__u64 w[2] = {};
	if (bpf_probe_read_user(w, 15, (const void *)path) < 0)
		return false;
	/* "/proc/sl" "abinfo\0", little- or big-endian alike */
	const char want[16] = "/proc/slabinfo";
	__u64 want0, want1 = 0;
	__builtin_memcpy(&want0, want, 8);
	__builtin_memcpy(&want1, want + 8, 7);
	return w[0] == want0 && w[1] == want1;
}

#define KS_PROC_SUPER_MAGIC 0x9fa0

/* The same by the file an open returned: its inode is /proc/slabinfo's
 * number, on a procfs (every /proc mount shares the entries' numbers).
 * One kernel read of the descriptor's slot and three loads, where reading
 * the path from user memory took 220 ns a successful open here; and an
 * open by any path (relative, another /proc mount) is seen. */
static __always_inline bool fd_is_slabinfo(long fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt;
	struct file *f = NULL;
	if (fd < 0 || fd >= fdt->max_fds ||
	    bpf_probe_read_kernel(&f, sizeof(f), (const void *)((__u64)fdt->fd + (__u64)fd * sizeof(f))) || !f)
		return false;
	struct file *file = bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
	struct inode *inode = file->f_inode;
	return inode->i_ino == slabinfo_ino && inode->i_sb->s_magic == KS_PROC_SUPER_MAGIC;
}

static __always_inline void slabinfo_open(struct ks_lookup *l)
{
	__u64 now = bpf_ktime_get_ns(), last = l->slab_last_ns;
	if (last && now - last > l->slab_gap_max_ns)
		l->slab_gap_max_ns = now - last;
	if (!last) {
		l->slab_first_ns = now;
		l->slab_procs = 1;
	}
	l->slab_last_ns = now;
	__sync_fetch_and_add(&l->slab_opens, 1);
	/* Its name now: slabtop, not the shell it was when it forked. */
	bpf_get_current_comm(l->comm, sizeof(l->comm));
}

/* The path argument of the current syscall, from its saved registers:
 * the kernel leaves the argument registers as user space set them (on
 * arm64 the first is kept in orig_x0). */
static __always_inline __u64 path_from_regs(__u32 argn)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	return (argn & 0xff) == 1 ? (__u64)PT_REGS_PARM1_CORE_SYSCALL(regs) : (__u64)PT_REGS_PARM2_CORE_SYSCALL(regs);
}

static __always_inline void path_count(__u32 tgid, long ret, __u32 argn, __u64 path, bool by_file);

/* ...and count the call at exit, sampling the path of a failed one. */
static __always_inline void path_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32;
	struct path_rec *r = bpf_map_lookup_elem(&inflight, &tid);
	if (!r)
		return;
	__u64 path = r->path;
	__u32 argn = r->argn;
	bpf_map_delete_elem(&inflight, &tid);
	path_count(tgid, ret, argn, path, false);
}

/* The same at exit alone: the syscall's number says whether it takes a
 * path, the registers where. */
static __always_inline void path_exit_args(long nr, long ret, bool by_file)
{
	__u32 argn = path_argn(nr);
	if (!argn)
		return;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (!wanted(tgid))
		return;
	path_count(tgid, ret, argn, 0, by_file);
}

static __always_inline void failed_at(struct ks_lookup *l, __u64 now)
{
	if (!l->first_ns)
		l->first_ns = now;
	l->last_ns = now;
}

/* A path syscall's return counted in its process's entry. path: the
 * argument, or 0 to read it from the registers only when needed (an
 * open that succeeded, a failure sampled). */
static __always_inline void path_count(__u32 tgid, long ret, __u32 argn, __u64 path, bool by_file)
{
	/* A call that succeeds (the common path) makes no entry: it is
	 * counted only in a process that has failed one, or opened
	 * /proc/slabinfo, already. */
	if (ret != -ENOENT) {
		bool slab = ret >= 0 && (argn & KS_PATH_OPENS) &&
			    (by_file ? fd_is_slabinfo(ret) : is_slabinfo(path ? path : path_from_regs(argn)));
		struct ks_lookup *l = slab ? lookup_get(tgid) : bpf_map_lookup_elem(&lookups, &tgid);
		if (!l)
			return;
		if (slab)
			slabinfo_open(l);
		__sync_fetch_and_add(&l->calls, 1);
		return;
	}
	struct ks_lookup *l = lookup_get(tgid);
	if (!l)
		return;
	__sync_fetch_and_add(&l->calls, 1);
	__sync_fetch_and_add(&l->failed, 1);
	/* When it failed: a burst of 1 s in a window of 8 is not a rate
	 * over the window. The clock is read at the first failure of each
	 * tick, not at every one: here a clock read costs more than an empty
	 * program (about 110 ns against 70), jiffies 2 ns. The latest time
	 * is then early by less than a tick. */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_jiffies64)) {
		__u64 j = bpf_jiffies64();
		if (j != l->last_jiffies || !l->first_ns) {
			l->last_jiffies = j;
			failed_at(l, bpf_ktime_get_ns());
		}
	} else {
		failed_at(l, bpf_ktime_get_ns());
	}

	/* Sample about path_samples_per_doubling failures per doubling of the
	 * count: every failure at first, then every 2nd, 4th, ... spread
	 * evenly over the run, whatever the rate. The stride is 2^k for the
	 * least k with n >> k <= S: k is the bit length of n / (S + 1),
	 * found in six steps. */
	__u64 n = l->failed, q = n / ((__u64)path_samples_per_doubling + 1), stride = 1;
	if (q >> 32)
		q >>= 32, stride <<= 32;
	if (q >> 16)
		q >>= 16, stride <<= 16;
	if (q >> 8)
		q >>= 8, stride <<= 8;
	if (q >> 4)
		q >>= 4, stride <<= 4;
	if (q >> 2)
		q >>= 2, stride <<= 2;
	if (q >> 1)
		q >>= 1, stride <<= 1;
	if (q)
		stride <<= 1;
	if (n & (stride - 1)) {
		stat_inc(KS_STAT_PATHS_UNSAMPLED);
		return;
	}
	/* The name it has now (it may have exec'd since the first lookup). */
	bpf_get_current_comm(l->comm, sizeof(l->comm));
	/* detail: the parent, for user space to file the sample with its
	 * group once the process has exited */
	struct ks_event *e = event_new(KS_EV_PATH, 0, 0, l->ppid, 0, 0);
	if (!e)
		return;
	if (!path)
		path = path_from_regs(argn);
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), (const void *)path) < 0)
		e->path[0] = 0;
	stat_inc(KS_STAT_PATHS_SAMPLED);
	bpf_ringbuf_submit(e, 0);
	return;
}

SEC("tracepoint")
int path_tp_exit(struct syscall_trace_exit *ctx)
{
	if (args_at_exit)
		path_exit_args(ctx->nr, ctx->ret, false);
	else
		path_exit(ctx->ret);
	return TP_PASS;
}

/* The same where the kernel lends both the registers and typed reads of
 * its pointers: an open of /proc/slabinfo told by its file. */
SEC("tracepoint")
int path_tp_exit_file(struct syscall_trace_exit *ctx)
{
	path_exit_args(ctx->nr, ctx->ret, true);
	return TP_PASS;
}

static __always_inline void min_time(__u64 *x, __u64 v)
{
	if (v && (!*x || v < *x))
		*x = v;
}

static __always_inline void max_u64(__u64 *x, __u64 v)
{
	if (v > *x)
		*x = v;
}

/* An exited process's counts into its group. Processes of a group exit
 * on several CPUs at once: the sums are atomic, the times and the
 * longest gap are kept without locking (a lost race costs one
 * process's extreme, not a count). */
static __always_inline void lookup_fold(struct ks_lookup *l)
{
	struct ks_lookup_group k = {.ppid = l->ppid};
	__builtin_memcpy(k.comm, l->comm, sizeof(k.comm));
	struct ks_lookup *g = bpf_map_lookup_elem(&lookup_groups, &k);
	if (!g) {
		if (bpf_map_update_elem(&lookup_groups, &k, l, BPF_NOEXIST) == 0)
			return;
		g = bpf_map_lookup_elem(&lookup_groups, &k); /* made meanwhile on another CPU */
		if (!g)
			return;
	}
	__sync_fetch_and_add(&g->failed, l->failed);
	__sync_fetch_and_add(&g->calls, l->calls);
	__sync_fetch_and_add(&g->slab_opens, l->slab_opens);
	__sync_fetch_and_add(&g->procs, l->procs);
	__sync_fetch_and_add(&g->slab_procs, l->slab_procs);
	min_time(&g->first_ns, l->first_ns);
	max_u64(&g->last_ns, l->last_ns);
	if (l->slab_opens) {
		/* the gap from the group's previous open to this process's first */
		if (g->slab_last_ns && l->slab_first_ns > g->slab_last_ns)
			max_u64(&g->slab_gap_max_ns, l->slab_first_ns - g->slab_last_ns);
		max_u64(&g->slab_gap_max_ns, l->slab_gap_max_ns);
		min_time(&g->slab_first_ns, l->slab_first_ns);
		max_u64(&g->slab_last_ns, l->slab_last_ns);
	}
	g->tgid = l->tgid;
}

/* A process has exited (its last thread; see on_exit): its entry leaves
 * the map, into its group if it failed a lookup or opened /proc/slabinfo. */
static __always_inline void lookups_exit(__u32 tgid)
{
	struct ks_lookup *l = bpf_map_lookup_elem(&lookups, &tgid);
	if (!l)
		return;
	if (l->failed || l->slab_opens)
		lookup_fold(l);
	bpf_map_delete_elem(&lookups, &tgid);
}

#endif

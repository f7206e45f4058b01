/* Failed path lookups (seed 002): the path syscalls that return ENOENT,
 * counted per process, with a sampled few paths per doubling of the
 * count sent to user space for pattern analysis. The syscalls' own
 * tracepoints call path_enter/path_exit, or the raw sys_enter/sys_exit
 * fallback in kstall.bpf.c does when raw_lookups.
 *
 * Opens of /proc/slabinfo ride the same programs (an open is a path
 * syscall): they are counted here, and read by the irq detector. */
#ifndef KSTALL_DCACHE_BPF_H
#define KSTALL_DCACHE_BPF_H

#include "common.bpf.h"

#define ENOENT 2

const volatile __u32 path_samples_per_doubling = 32;
const volatile bool raw_lookups = false;

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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct ks_lookup);
} lookups SEC(".maps");

/* Failed path lookups: remember the path argument at entry... */
static __always_inline void path_enter(long nr, __u64 arg1, __u64 arg2)
{
	if (nr < 0 || nr >= 512)
		return;
	__u32 k = (__u32)nr;
	__u32 *argn = bpf_map_lookup_elem(&path_syscalls, &k);
	if (!argn || !*argn)
		return;
	__u64 id = bpf_get_current_pid_tgid();
	if (!wanted(id >> 32))
		return;
	struct path_rec r = {.nr = k, .argn = *argn, .path = (*argn & 0xff) == 1 ? arg1 : arg2};
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

/* Periodic readers of /proc/slabinfo (seed 003): SLUB counts each cache's
 * partial slabs with interrupts off. A successful open of that absolute
 * path is counted per process, with the time since its previous one; the
 * path is compared as two 8-byte words, not read as a string. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} slabinfo_last SEC(".maps");

static __always_inline void slabinfo_open(__u64 path, __u32 tid, __u32 tgid)
{
	__u64 w[2] = {};
	if (bpf_probe_read_user(w, 15, (const void *)path) < 0)
		return;
	/* "/proc/sl" "abinfo\0", little- or big-endian alike */
	const char want[16] = "/proc/slabinfo";
	__u64 want0, want1 = 0;
	__builtin_memcpy(&want0, want, 8);
	__builtin_memcpy(&want1, want + 8, 7);
	if (w[0] != want0 || w[1] != want1)
		return;
	__u64 now = bpf_ktime_get_ns(), gap = 0;
	__u64 *last = bpf_map_lookup_elem(&slabinfo_last, &tgid);
	if (last) {
		gap = now - *last;
		*last = now;
	} else {
		bpf_map_update_elem(&slabinfo_last, &tgid, &now, BPF_ANY);
	}
	struct ks_hist_key hk = {.tgid = tgid, .kind = KS_SLABINFO};
	struct ks_hist *h = hist_get(&hk);
	if (h)
		hist_add(h, gap, tid, !last, 0); /* extra1: opens with no earlier one */
}

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
	if (ret >= 0 && (argn & KS_PATH_OPENS))
		slabinfo_open(path, tid, tgid);

	struct ks_lookup *l = bpf_map_lookup_elem(&lookups, &tgid);
	if (!l) {
		struct ks_lookup zero = {};
		bpf_get_current_comm(zero.comm, sizeof(zero.comm));
		bpf_map_update_elem(&lookups, &tgid, &zero, BPF_NOEXIST);
		l = bpf_map_lookup_elem(&lookups, &tgid);
		if (!l) {
			stat_inc(KS_STAT_LOOKUPS_FULL);
			return;
		}
	}
	__sync_fetch_and_add(&l->calls, 1);
	if (ret != -ENOENT)
		return;
	__sync_fetch_and_add(&l->failed, 1);

	/* Sample about path_samples_per_doubling failures per doubling of the
	 * count: every failure at first, then every 2nd, 4th, ... spread
	 * evenly over the run, whatever the rate. */
	__u64 n = l->failed, stride = 1;
	for (int i = 0; i < 40 && (n >> i) > (__u64)path_samples_per_doubling; i++)
		stride <<= 1;
	if (n & (stride - 1)) {
		stat_inc(KS_STAT_PATHS_UNSAMPLED);
		return;
	}
	/* The name it has now (it may have exec'd since the first lookup). */
	bpf_get_current_comm(l->comm, sizeof(l->comm));
	struct ks_event *e = event_new(KS_EV_PATH, 0, 0, 0, 0, 0);
	if (!e)
		return;
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), (const void *)path) < 0)
		e->path[0] = 0;
	stat_inc(KS_STAT_PATHS_SAMPLED);
	bpf_ringbuf_submit(e, 0);
	return;
}

SEC("tracepoint")
int path_tp_exit(struct syscall_trace_exit *ctx)
{
	path_exit(ctx->ret);
	return TP_PASS;
}

#endif

#include "traced.h"

const char *tr_kind_name(unsigned kind)
{
	switch (kind) {
	case TR_DIRECT_RECLAIM: return "direct_reclaim";
	case TR_MEMCG_RECLAIM: return "memcg_reclaim";
	case TR_SHRINKER: return "shrinker";
	case TR_KSWAPD: return "kswapd";
	case TR_MMAP: return "mmap";
	case TR_MUNMAP: return "munmap";
	case TR_UNMAPPED_AREA: return "unmapped_area_search";
	case TR_SOFTIRQ: return "softirq";
	case TR_SOFTIRQ_LAT: return "softirq_latency";
	case TR_HARDIRQ: return "hardirq";
	case TR_KSOFTIRQD: return "ksoftirqd_wait";
	case TR_TIMER_LATE: return "timer_lateness";
	case TR_SLABINFO: return "slabinfo_open";
	case TR_BDP: return "dirty_throttle";
	case TR_BDP_PLAN: return "dirty_throttle_planned";
	case TR_WB_WAIT: return "writeback_wait";
	case TR_ML_WAIT_READ: return "mmap_lock_wait_read";
	case TR_ML_WAIT_WRITE: return "mmap_lock_wait_write";
	case TR_ML_HOLD: return "mmap_lock_hold_write";
	default: return "unknown";
	}
}

const char *tr_softirq_name(uint64_t vec)
{
	static const char *const names[] = {"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK",
					    "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU"};
	return vec < sizeof(names) / sizeof(names[0]) ? names[vec] : "?";
}

void traced_free(struct traced *t)
{
	for (size_t i = 0; i < t->nlookups; i++)
		pattern_set_free(&t->lookups[i].patterns);
	free(t->lookups);
	free(t->hists);
	free(t->events);
	*t = (struct traced){0};
}

double tr_hist_quantile(const struct tr_hist *h, double q)
{
	uint64_t total = 0, want, seen = 0;
	for (int i = 0; i < TR_HIST_SLOTS; i++)
		total += h->slots[i];
	if (!total)
		return 0;
	want = (uint64_t)((double)total * q + 0.5);
	if (want < 1)
		want = 1;
	for (int i = 0; i < TR_HIST_SLOTS; i++) {
		seen += h->slots[i];
		if (seen >= want)
			return (double)(2ull << i) / 1e6; /* upper edge of [2^i, 2^(i+1)) us */
	}
	return (double)h->max_ns / 1e9;
}

int tr_lookup_cmp_failed(const void *a, const void *b)
{
	const struct tr_lookup *x = *(const struct tr_lookup *const *)a, *y = *(const struct tr_lookup *const *)b;
	return (x->failed < y->failed) - (x->failed > y->failed);
}

#include <sys/syscall.h>

const char *tr_syscall_name(long nr)
{
	/* The ones an mmap_lock waiter or holder is likely to be in. Numbers
	 * are this build's architecture's: a recording from another
	 * architecture names them wrongly (the number is kept as well). */
	static const struct {
		long nr;
		const char *name;
	} t[] = {
#define S(x) {SYS_##x, #x}
		S(read), S(write), S(openat), S(close), S(mmap), S(munmap), S(mprotect), S(madvise), S(brk), S(mremap),
		S(clone), S(execve), S(exit), S(exit_group), S(futex), S(accept4), S(recvfrom), S(sendto), S(recvmsg),
		S(sendmsg), S(readv), S(writev), S(pread64), S(pwrite64), S(msync), S(mlock), S(munlock), S(prctl),
		S(ioctl), S(epoll_pwait), S(ppoll), S(pselect6), S(getdents64), S(process_vm_readv),
#ifdef SYS_accept
		S(accept),
#endif
#ifdef SYS_fork
		S(fork),
#endif
#ifdef SYS_vfork
		S(vfork),
#endif
#ifdef SYS_clone3
		S(clone3),
#endif
#ifdef SYS_poll
		S(poll),
#endif
#ifdef SYS_select
		S(select),
#endif
#ifdef SYS_epoll_wait
		S(epoll_wait),
#endif
#undef S
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].nr == nr)
			return t[i].name;
	return NULL;
}

const char *tr_ml_where(uint64_t where, char *out, size_t n)
{
	uint64_t nr = where & TR_ML_NOSYS;
	const char *name = nr == TR_ML_NOSYS ? NULL : tr_syscall_name((long)nr);
	char sc[32];
	if (name)
		snprintf(sc, sizeof(sc), "%s", name);
	else
		snprintf(sc, sizeof(sc), "syscall %" PRIu64, nr);
	if (where & TR_ML_FAULT)
		snprintf(out, n, nr == TR_ML_NOSYS ? "page fault" : "page fault in %s", sc);
	else
		snprintf(out, n, nr == TR_ML_NOSYS ? "outside a syscall" : "%s", sc);
	return out;
}

#include "traced.h"

#include <linux/types.h>
#include "../bpf/kstall.h"

/* Where the kernel side's records meet these, the two must agree. */
_Static_assert(KS_HIST_SLOTS == TR_HIST_SLOTS, "histogram slots differ between BPF and user space");
_Static_assert(sizeof(((struct ks_hist *)0)->slots) == sizeof(((struct tr_hist *)0)->slots), "slots differ");
_Static_assert(KS_COMM_LEN == sizeof(((struct tr_hist *)0)->comm), "tr_hist.comm is not KS_COMM_LEN");
_Static_assert(KS_COMM_LEN == sizeof(((struct tr_event *)0)->comm), "tr_event.comm is not KS_COMM_LEN");
_Static_assert(KS_COMM_LEN == sizeof(((struct tr_lookup *)0)->comm), "tr_lookup.comm is not KS_COMM_LEN");
_Static_assert(KS_COMM_LEN == sizeof(((struct tr_ml_holder *)0)->comm), "tr_ml_holder.comm is not KS_COMM_LEN");
_Static_assert(KS_ML_NOSYS == TR_ML_NOSYS && KS_ML_FAULT == TR_ML_FAULT, "mmap_lock where differs");
_Static_assert((int)KS_KIND_MAX == (int)TR_KIND_END, "kinds differ between BPF and user space");

/* Kinds are numbered 1, 2, ... in the list's order: recordings hold the
 * numbers, and recfile.c accepts TR_DIRECT_RECLAIM to TR_ML_HOLD. */
enum {
#define KS_KIND(id, value, name, what) TR_INDEX_##id,
#include "../bpf/kinds.h"
#undef KS_KIND
};
#define KS_KIND(id, value, name, what) \
	_Static_assert(TR_##id == TR_INDEX_##id + 1 && (int)TR_##id == (int)KS_##id, #id " is out of order");
#include "../bpf/kinds.h"
#undef KS_KIND
_Static_assert(TR_DIRECT_RECLAIM == 1 && TR_ML_HOLD == TR_KIND_END - 1,
	       "a kind added: extend kind_known() in src/record/recfile.c");

const char *tr_kind_name(unsigned kind)
{
	switch (kind) {
#define KS_KIND(id, value, name, what) \
	case TR_##id:                  \
		return name;
#include "../bpf/kinds.h"
#undef KS_KIND
	default: return "unknown";
	}
}

const char *tr_softirq_name(uint64_t vec)
{
	static const char *const names[] = {"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK",
					    "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU"};
	_Static_assert(ARRAY_SIZE(names) == KS_NR_SOFTIRQS, "softirq vectors differ from the BPF side's");
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

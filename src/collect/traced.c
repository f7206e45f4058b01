#include "traced.h"

#include <linux/types.h>
#include <math.h>
#include "../bpf/kstall.h"

/* Where the kernel side's records meet these, the two must agree. */
_Static_assert(KS_HIST_SLOTS == TR_HIST_SLOTS, "histogram slots differ between BPF and user space");
_Static_assert(sizeof(((struct ks_hist *)0)->slots) == sizeof(((struct tr_hist *)0)->slots), "slots differ");
_Static_assert(KS_COMM_LEN == sizeof(((struct tr_hist *)0)->comm), "tr_hist.comm is not KS_COMM_LEN");
_Static_assert(KS_COMM_LEN == sizeof(((struct tr_event *)0)->comm), "tr_event.comm is not KS_COMM_LEN");
_Static_assert(KS_COMM_LEN == sizeof(((struct tr_lookup *)0)->comm), "tr_lookup.comm is not KS_COMM_LEN");
_Static_assert(KS_COMM_LEN == sizeof(((struct tr_ml_holder *)0)->comm), "tr_ml_holder.comm is not KS_COMM_LEN");
_Static_assert(KS_ML_NOSYS == TR_ML_NOSYS && KS_ML_FAULT == TR_ML_FAULT && KS_ML_REMOTE == TR_ML_REMOTE,
	       "mmap_lock where differs");
_Static_assert((int)KS_KIND_MAX == (int)TR_KIND_END, "kinds differ between BPF and user space");

/* Kinds are numbered 1, 2, ... in the list's order: recordings hold the
 * numbers, and recfile.c accepts TR_DIRECT_RECLAIM to TR_KIND_END - 1. */
enum {
#define KS_KIND(id, value, name, family, what) TR_INDEX_##id,
#include "../bpf/kinds.h"
#undef KS_KIND
};
#define KS_KIND(id, value, name, family, what) \
	_Static_assert(TR_##id == TR_INDEX_##id + 1 && (int)TR_##id == (int)KS_##id, #id " is out of order");
#include "../bpf/kinds.h"
#undef KS_KIND
_Static_assert(TR_DIRECT_RECLAIM == 1, "kinds start at 1: 0 is no kind in recordings");

/* Each of the kernel side's loss counters (src/bpf/stats.h) is a row of
 * TRACED_COUNTERS, under the field name the list gives it. */
#define KS_STAT(id, field, what) \
	_Static_assert(sizeof(((struct traced *)0)->field) == sizeof(uint64_t), #field " is not a 64-bit counter");
#include "../bpf/stats.h"
#undef KS_STAT

const char *tr_kind_name(unsigned kind)
{
	switch (kind) {
#define KS_KIND(id, value, name, family, what) \
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

double tr_hist_quantile_floor(const struct tr_hist *h, double q)
{
	if (h->count < TR_QUANTILE_MIN_SAMPLES)
		return -1;
	double upper = tr_hist_quantile(h, q), max = (double)h->max_ns / 1e9;
	return fmin(upper / 2, max);
}

int tr_lookup_cmp_failed(const void *a, const void *b)
{
	const struct tr_lookup *x = *(const struct tr_lookup *const *)a, *y = *(const struct tr_lookup *const *)b;
	return (x->failed < y->failed) - (x->failed > y->failed);
}

#include <sys/syscall.h>

const char *tr_syscall_name(long nr)
{
	/* Every syscall this build's libc headers name (build/syscall_names.h,
	 * made from <sys/syscall.h> by the Makefile). Numbers are this
	 * architecture's: a recording from another names them wrongly (the
	 * number is kept as well). */
	static const struct {
		long nr;
		const char *name;
	} t[] = {
#define S(x) {SYS_##x, #x},
#include "syscall_names.h"
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

/* ---- the window between two cumulative states ---- */

static uint64_t sub(uint64_t b, uint64_t a) { return b > a ? b - a : 0; }

#define TRC_DIFF_SUB(f) t->f = b->f > a->f ? b->f - a->f : 0;
#define TRC_DIFF_DELTA(f) t->f = b->f - a->f;
#define TRC_DIFF_KEEP(f)
#define TRC_DIFF(type, name, diff, ...) TRC_DIFF_##diff(name)

static void counters_diff(const struct traced *a, const struct traced *b, struct traced *t)
{
	TRACED_COUNTERS(TRC_DIFF)
}

/* A histogram's key, (tgid, kind, detail), found by binary search: a
 * state holds tens of thousands of histograms. */
struct tr_key {
	uint32_t tgid;
	unsigned kind;
	uint64_t detail;
	size_t i;   /* index in the array the key is from */
	uint64_t v; /* the largest value of the key's entries (events: dur_ns) */
};

static int key_cmp(const void *x, const void *y)
{
	const struct tr_key *a = x, *b = y;
	if (a->tgid != b->tgid)
		return a->tgid < b->tgid ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return (a->detail > b->detail) - (a->detail < b->detail);
}

static int key_index_cmp(const void *x, const void *y)
{
	const struct tr_key *a = x, *b = y;
	int c = key_cmp(x, y);
	return c ? c : (a->i > b->i) - (a->i < b->i);
}

/* Sorted, one entry per key: the first of the key's in array order,
 * with the largest v of them. Returns how many are left. */
static size_t keys_unique(struct tr_key *k, size_t n)
{
	size_t m = 0;

	if (n > 1)
		qsort(k, n, sizeof(*k), key_index_cmp);
	for (size_t i = 0; i < n; i++) {
		if (m && !key_cmp(&k[m - 1], &k[i])) {
			if (k[i].v > k[m - 1].v)
				k[m - 1].v = k[i].v;
			continue;
		}
		k[m++] = k[i];
	}
	return m;
}

static const struct tr_key *key_find(const struct tr_key *k, size_t n, uint32_t tgid, unsigned kind, uint64_t detail)
{
	struct tr_key want = {.tgid = tgid, .kind = kind, .detail = detail};
	return n ? bsearch(&want, k, n, sizeof(*k), key_cmp) : NULL;
}

/* x (from b) minus p (its key's first in a): false if nothing happened
 * in the window. ev: the window's events by key. */
static bool hist_diff(struct tr_hist *x, const struct tr_hist *p, const struct tr_key *ev, size_t nev)
{
	x->count = sub(x->count, p->count);
	x->untimed = sub(x->untimed, p->untimed);
	x->sum_ns = sub(x->sum_ns, p->sum_ns);
	x->extra1 = sub(x->extra1, p->extra1);
	x->extra2 = sub(x->extra2, p->extra2);
	for (int k = 0; k < TR_HIST_SLOTS; k++)
		x->slots[k] = sub(x->slots[k], p->slots[k]);
	if (!x->count)
		return false;
	/* The cumulative worst is the window's only if it grew; otherwise
	 * bound it by the window's events and its highest bucket. */
	if (x->max_ns <= p->max_ns) {
		const struct tr_key *e = key_find(ev, nev, x->tgid, x->kind, x->detail);
		uint64_t m = e ? e->v : 0;
		for (int k = TR_HIST_SLOTS - 1; k >= 0 && !m; k--)
			if (x->slots[k])
				m = (2ull << k) * 1000; /* upper edge, us -> ns */
		x->max_ns = m < p->max_ns ? m : p->max_ns;
	}
	return true;
}

static void hists_diff(const struct traced *a, const struct traced *b, struct traced *t)
{
	struct tr_key *ka = xcalloc(a->nhists + 1, sizeof(*ka)), *ke = xcalloc(t->nevents + 1, sizeof(*ke));

	for (size_t i = 0; i < a->nhists; i++)
		ka[i] = (struct tr_key){a->hists[i].tgid, a->hists[i].kind, a->hists[i].detail, i, 0};
	for (size_t i = 0; i < t->nevents; i++)
		ke[i] = (struct tr_key){t->events[i].tgid, t->events[i].kind, t->events[i].detail, i,
					t->events[i].dur_ns};
	size_t na = keys_unique(ka, a->nhists), ne = keys_unique(ke, t->nevents);
	for (size_t i = 0; i < b->nhists; i++) {
		struct tr_hist x = b->hists[i];
		const struct tr_key *p = key_find(ka, na, x.tgid, x.kind, x.detail);
		if (p && !hist_diff(&x, &a->hists[p->i], ke, ne))
			continue;
		ARRAY_GROW(t->hists, t->nhists, t->caphists);
		t->hists[t->nhists++] = x;
	}
	free(ka);
	free(ke);
}

static int pattern_cmp(const void *x, const void *y)
{
	return strcmp((*(const struct pattern_count *const *)x)->pattern,
		      (*(const struct pattern_count *const *)y)->pattern);
}

/* x's samples minus p's (NULL: none), pattern by pattern, into y. */
static void patterns_diff(const struct pattern_set *x, const struct pattern_set *p, struct pattern_set *y)
{
	size_t np = p ? p->n : 0;
	const struct pattern_count **sorted = xcalloc(np + 1, sizeof(*sorted));

	for (size_t m = 0; m < np; m++)
		sorted[m] = &p->v[m];
	if (np > 1)
		qsort(sorted, np, sizeof(*sorted), pattern_cmp);
	for (size_t k = 0; k < x->n; k++) {
		const struct pattern_count *want = &x->v[k], **q = np ? bsearch(&want, sorted, np, sizeof(*sorted),
										   pattern_cmp) : NULL;
		uint64_t n = q ? sub(want->n, (*q)->n) : want->n;
		if (n)
			pattern_set_add(y, want->example, n);
	}
	pattern_set_sort(y);
	free(sorted);
}

/* Lookups are keyed by tgid (processes) and by parent and name (groups
 * of exited processes). */
static int lookup_key_cmp(const void *x, const void *y)
{
	const struct tr_lookup *a = *(const struct tr_lookup *const *)x, *b = *(const struct tr_lookup *const *)y;
	if (a->group != b->group)
		return a->group ? 1 : -1;
	if (!a->group)
		return (a->tgid > b->tgid) - (a->tgid < b->tgid);
	if (a->ppid != b->ppid)
		return a->ppid < b->ppid ? -1 : 1;
	return strncmp(a->comm, b->comm, sizeof(a->comm));
}

/* The lookups of v as pointers sorted by key. */
static const struct tr_lookup **lookups_sorted(const struct traced *v)
{
	const struct tr_lookup **s = xcalloc(v->nlookups + 1, sizeof(*s));
	for (size_t i = 0; i < v->nlookups; i++)
		s[i] = &v->lookups[i];
	if (v->nlookups > 1)
		qsort(s, v->nlookups, sizeof(*s), lookup_key_cmp);
	return s;
}

static const struct tr_lookup *lookup_find(const struct tr_lookup **s, size_t n, const struct tr_lookup *want)
{
	const struct tr_lookup **p = n ? bsearch(&want, s, n, sizeof(*s), lookup_key_cmp) : NULL;
	return p ? *p : NULL;
}

/* What was before the window of x, in a: its own entry p, and for a group
 * the processes of a that have left b's processes since (they exited and
 * were folded into x meanwhile, with all they had counted before). */
struct lookup_before {
	const struct tr_lookup *p;
	const struct tr_lookup **gone; /* of a, sorted by x's key (as a group) */
	size_t ngone;
	double gap_max_s;              /* the largest longest-gap of them */
	bool any;
};

static void lookup_sub(struct tr_lookup *y, const struct tr_lookup *p, struct lookup_before *bf)
{
	y->failed = sub(y->failed, p->failed);
	y->calls = sub(y->calls, p->calls);
	y->slab_opens = sub(y->slab_opens, p->slab_opens);
	if (y->group) {
		y->procs = sub(y->procs, p->procs);
		y->slab_procs = sub(y->slab_procs, p->slab_procs);
	}
	if (p->slab_gap_max_s > bf->gap_max_s)
		bf->gap_max_s = p->slab_gap_max_s;
	bf->any = true;
}

/* x (from b) minus what came before it: counts and samples subtract;
 * times move to the window's start (a's duration), a first before it at
 * 0; a longest gap that did not grow is unknown. */
static void lookup_window(const struct tr_lookup *x, struct lookup_before *bf, double t0, struct tr_lookup *y)
{
	struct pattern_set before = {0};

	*y = *x;
	y->patterns = (struct pattern_set){0};
	if (bf->p)
		lookup_sub(y, bf->p, bf);
	for (size_t i = 0; i < bf->ngone; i++)
		lookup_sub(y, bf->gone[i], bf);
	if (!y->group)
		y->slab_procs = y->slab_opens > 0;
	if (y->known) {
		y->first_s = fmax(x->first_s - t0, 0), y->last_s = fmax(x->last_s - t0, 0);
		y->slab_first_s = fmax(x->slab_first_s - t0, 0), y->slab_last_s = fmax(x->slab_last_s - t0, 0);
		if (bf->any && x->slab_gap_max_s <= bf->gap_max_s)
			y->slab_gap_max_s = -1;
	}
	for (size_t i = 0; i <= bf->ngone; i++) {
		const struct tr_lookup *p = i < bf->ngone ? bf->gone[i] : bf->p;
		for (size_t j = 0; p && j < p->patterns.n; j++)
			pattern_set_add(&before, p->patterns.v[j].example, p->patterns.v[j].n);
	}
	patterns_diff(&x->patterns, &before, &y->patterns);
	pattern_set_free(&before);
}

/* a's processes that are not among b's and that the kernel folded into
 * their group when they exited (those that failed a lookup or opened
 * /proc/slabinfo), sorted by their key as a group. */
static int gone_cmp(const void *x, const void *y)
{
	const struct tr_lookup *a = *(const struct tr_lookup *const *)x, *b = *(const struct tr_lookup *const *)y;
	if (a->ppid != b->ppid)
		return a->ppid < b->ppid ? -1 : 1;
	return strncmp(a->comm, b->comm, sizeof(a->comm));
}

static const struct tr_lookup **lookups_gone(const struct traced *a, const struct tr_lookup **sb, size_t nb,
					     size_t *ret_n)
{
	const struct tr_lookup **g = xcalloc(a->nlookups + 1, sizeof(*g));
	size_t n = 0;
	for (size_t i = 0; i < a->nlookups; i++) {
		const struct tr_lookup *p = &a->lookups[i];
		if (p->known && !p->group && (p->failed || p->slab_opens) && !lookup_find(sb, nb, p))
			g[n++] = p;
	}
	if (n > 1)
		qsort(g, n, sizeof(*g), gone_cmp);
	*ret_n = n;
	return g;
}

static void lookups_diff(const struct traced *a, const struct traced *b, struct traced *t)
{
	const struct tr_lookup **sa = lookups_sorted(a), **sb = lookups_sorted(b);
	size_t ngone;
	const struct tr_lookup **gone = lookups_gone(a, sb, b->nlookups, &ngone);

	for (size_t i = 0; i < b->nlookups; i++) {
		const struct tr_lookup *x = &b->lookups[i];
		struct lookup_before bf = {.p = lookup_find(sa, a->nlookups, x)};
		if (x->group) {
			const struct tr_lookup **lo = gone;
			while (lo < gone + ngone && gone_cmp(lo, &x) < 0)
				lo++;
			bf.gone = lo;
			while (lo + bf.ngone < gone + ngone && !gone_cmp(lo + bf.ngone, &x))
				bf.ngone++;
		}
		struct tr_lookup y;
		lookup_window(x, &bf, a->duration_s, &y);
		if (!y.calls) {
			pattern_set_free(&y.patterns);
			continue;
		}
		ARRAY_GROW(t->lookups, t->nlookups, t->caplookups);
		t->lookups[t->nlookups++] = y;
	}
	free(sa);
	free(sb);
	free(gone);
}

void traced_diff(const struct traced *a, const struct traced *b, struct traced *ret)
{
	struct traced t = *b;

	t.hists = NULL, t.nhists = t.caphists = 0;
	t.lookups = NULL, t.nlookups = t.caplookups = 0;
	t.events = NULL, t.nevents = t.capevents = 0;
	counters_diff(a, b, &t);
	for (size_t i = 0; i < b->nevents; i++)
		if (b->events[i].t_s > a->duration_s) {
			ARRAY_GROW(t.events, t.nevents, t.capevents);
			t.events[t.nevents] = b->events[i];
			t.events[t.nevents++].t_s -= a->duration_s;
		}
	hists_diff(a, b, &t);
	lookups_diff(a, b, &t);
	*ret = t;
}

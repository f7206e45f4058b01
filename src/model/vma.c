#include "vma.h"

#include <math.h>

const uint64_t vma_hole_bucket_max[VMA_HOLE_BUCKETS] = {
	16ULL << 10, 128ULL << 10, 1ULL << 20, 16ULL << 20, 1ULL << 30, UINT64_MAX,
};

static bool is_special(const struct vma *v)
{
	return v->path && v->path[0] == '[' &&
	       (!strcmp(v->path, "[stack]") || !strcmp(v->path, "[vvar]") || !strcmp(v->path, "[vdso]") ||
		!strcmp(v->path, "[vsyscall]") || !strcmp(v->path, "[vectors]") || !strcmp(v->path, "[vvar_vclock]"));
}

static uint64_t estimate_mmap_base(const struct maps *m)
{
	/* The top of the highest ordinary region below the stack. */
	uint64_t stack = UINT64_MAX, top = 0;
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].path && !strcmp(m->v[i].path, "[stack]"))
			stack = m->v[i].start;
	for (size_t i = 0; i < m->n; i++)
		if (!is_special(&m->v[i]) && m->v[i].end <= stack && m->v[i].end > top)
			top = m->v[i].end;
	return top;
}

static int cmp_count_desc(const void *a, const void *b)
{
	const struct vma_size_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->size < y->size ? -1 : x->size > y->size;
}

/* The most common region sizes: count them in an open-addressing table
 * (O(n) for any number of distinct sizes), then keep the VMA_TOP_SIZES
 * largest counts; ties go to the smaller size, so the result does not
 * depend on the table's order. */
static size_t size_slot(const struct vma_size_count *t, size_t cap, uint64_t sz)
{
	size_t h = (size_t)((sz >> 12) * 0x9E3779B97F4A7C15ULL >> 32) & (cap - 1);
	while (t[h].count && t[h].size != sz)
		h = (h + 1) & (cap - 1);
	return h;
}

static void top_sizes(const struct maps *m, struct vma_summary *s)
{
	size_t cap = 64, used = 0;
	struct vma_size_count *t = xcalloc(cap, sizeof(*t));
	for (size_t i = 0; i < m->n; i++) {
		uint64_t sz = m->v[i].end - m->v[i].start;
		size_t h = size_slot(t, cap, sz);
		if (!t[h].count && ++used * 2 > cap) {
			/* half full: double the table */
			struct vma_size_count *n = xcalloc(cap * 2, sizeof(*n));
			for (size_t j = 0; j < cap; j++)
				if (t[j].count)
					n[size_slot(n, cap * 2, t[j].size)] = t[j];
			free(t);
			t = n;
			cap *= 2;
			h = size_slot(t, cap, sz);
		}
		t[h].size = sz;
		t[h].count++;
	}
	struct vma_size_count top[VMA_TOP_SIZES + 1];
	size_t ntop = 0;
	for (size_t i = 0; i < cap; i++) {
		if (!t[i].count)
			continue;
		top[ntop] = (struct vma_size_count){.size = t[i].size, .count = t[i].count};
		/* insertion into a list kept sorted, most common first */
		for (size_t k = ntop; k > 0 && cmp_count_desc(&top[k], &top[k - 1]) < 0; k--) {
			struct vma_size_count x = top[k];
			top[k] = top[k - 1];
			top[k - 1] = x;
		}
		if (ntop < VMA_TOP_SIZES)
			ntop++;
	}
	free(t);
	memcpy(s->top_sizes, top, ntop * sizeof(top[0]));
	s->ntop = ntop;
}

int vma_summarize(const struct maps *m, struct vma_summary *ret)
{
	struct vma_summary s = {0};

	/* The kernel prints regions in address order; a file that does not
	 * (a hand-made one) cannot be walked as the kernel walks. */
	for (size_t i = 1; i < m->n; i++)
		if (m->v[i].start < m->v[i - 1].start)
			return -EINVAL;
	s.nvmas = m->n;
	s.mmap_base = estimate_mmap_base(m);
	s.tree_steps = m->n ? log2((double)m->n) : 0;
	/* Two passes over the gaps: the widest is the unused middle of the
	 * address space (between the heap and the mmap area), not a hole. */
	uint64_t widest = 0, second = 0;
	bool skipped = false;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i + 1 < m->n; i++) {
			const struct vma *v = &m->v[i], *w = &m->v[i + 1];
			if (is_special(v) || is_special(w) || w->start < v->end)
				continue;
			uint64_t gap = w->start - v->end;
			if (pass == 0) {
				if (gap > widest) {
					second = widest;
					widest = gap;
				} else if (gap > second) {
					second = gap;
				}
				continue;
			}
			if (gap && gap == widest && !skipped) {
				skipped = true;
			} else if (gap) {
				s.nholes++;
				s.hole_bytes += gap;
				size_t b = 0;
				while (b + 1 < VMA_HOLE_BUCKETS && gap > vma_hole_bucket_max[b])
					b++;
				s.hole_buckets[b]++;
			} else if (!v->path && !w->path && !memcmp(v->perms, w->perms, 4)) {
				s.unmerged_neighbours++;
			}
		}
	s.largest_hole = second;
	for (size_t i = 0; i < m->n; i++)
		s.mapped_bytes += m->v[i].end - m->v[i].start;
	top_sizes(m, &s);
	for (size_t k = 0; k < s.ntop; k++) {
		struct search_cost c = vma_search_cost(m, s.mmap_base, s.top_sizes[k].size);
		s.top_sizes[k].linear_steps = c.linear_steps;
		s.top_sizes[k].found = c.found;
	}
	*ret = s;
	return 0;
}

/* Index of the first region with end > addr, as find_vma returns it
 * (maps are sorted by address); m->n if none. */
static size_t find_vma(const struct maps *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->v[mid].end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

struct search_cost vma_search_cost(const struct maps *m, uint64_t mmap_base, uint64_t len)
{
	struct search_cost c = {0};

	if (len == 0 || mmap_base < len)
		return c;
	uint64_t addr = mmap_base - len;
	size_t i = find_vma(m, addr);
	/* Each step moves below a region, so there are at most n + 1. The
	 * address only goes down, so the next find_vma is found by stepping
	 * down from this one: O(n) for the whole walk, not O(n log n), which
	 * matters for 65,000 regions times a dozen sizes. */
	for (size_t guard = 0; guard <= m->n + 1; guard++) {
		c.linear_steps++;
		if (i == m->n || addr + len <= m->v[i].start) {
			c.found = true;
			break;
		}
		if (m->v[i].start < len)
			break;
		addr = m->v[i].start - len;
		while (i > 0 && m->v[i - 1].end > addr)
			i--;
	}
	return c;
}

bool vma_linear_search(const struct kernel_version *kv)
{
	return !kver_at_least(kv, 3, 8);
}

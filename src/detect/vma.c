#include "vma.h"

#include <math.h>

static bool is_special(const struct vma *v)
{
	return v->path && v->path[0] == '[' &&
	       (!strcmp(v->path, "[stack]") || !strcmp(v->path, "[vvar]") || !strcmp(v->path, "[vdso]") ||
		!strcmp(v->path, "[vsyscall]") || !strcmp(v->path, "[vectors]"));
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

int vma_analyze(const struct maps *m, struct vma_stats *ret)
{
	struct vma_stats s = {0};
	struct vma_size_count *sizes = NULL;
	size_t nsizes = 0, cap = 0;

	s.nvmas = m->n;
	s.mmap_base = estimate_mmap_base(m);
	for (size_t i = 0; i < m->n; i++) {
		const struct vma *v = &m->v[i];
		uint64_t sz = v->end - v->start;
		s.mapped_bytes += sz;
		size_t j;
		for (j = 0; j < nsizes && sizes[j].size != sz; j++)
			;
		if (j == nsizes) {
			if (nsizes >= 4096)
				continue; /* bounded: a long tail of odd sizes is not counted */
			ARRAY_GROW(sizes, nsizes, cap);
			sizes[nsizes++] = (struct vma_size_count){sz, 0};
		}
		sizes[j].count++;
		if (i + 1 < m->n && !is_special(v) && !is_special(&m->v[i + 1]) && m->v[i + 1].start >= v->end) {
			const struct vma *w = &m->v[i + 1];
			uint64_t gap = w->start - v->end;
			if (gap) {
				s.nholes++;
				s.hole_bytes += gap;
				if (gap > s.largest_hole)
					s.largest_hole = gap;
			} else if (!v->path && !w->path && !memcmp(v->perms, w->perms, 4)) {
				s.unmerged_neighbours++;
			}
		}
	}
	/* The most common sizes, by count. */
	for (size_t k = 0; k < VMA_TOP_SIZES && k < nsizes; k++) {
		size_t best = k;
		for (size_t j = k + 1; j < nsizes; j++)
			if (sizes[j].count > sizes[best].count)
				best = j;
		struct vma_size_count t = sizes[k];
		sizes[k] = sizes[best];
		sizes[best] = t;
		s.top_sizes[s.ntop++] = sizes[k];
	}
	free(sizes);
	*ret = s;
	return 0;
}

/* First region with end > addr (maps are sorted by address). */
static const struct vma *find_vma(const struct maps *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->v[mid].end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < m->n ? &m->v[lo] : NULL;
}

struct search_cost vma_search_cost(const struct maps *m, uint64_t mmap_base, uint64_t len)
{
	struct search_cost c = {0};

	c.tree_steps = m->n ? log2((double)m->n) : 0;
	if (len == 0 || mmap_base < len)
		return c;
	/* arch_get_unmapped_area_topdown before 3.8, from mmap_base. */
	uint64_t addr = mmap_base - len;
	for (size_t guard = 0; guard <= m->n + 1; guard++) {
		const struct vma *v = find_vma(m, addr);
		c.linear_steps++;
		if (!v || addr + len <= v->start) {
			c.found = true;
			break;
		}
		if (v->start < len)
			break;
		addr = v->start - len;
	}
	return c;
}

/* Address-space layout analysis (seed 001), pure: a parsed /proc/PID/maps
 * in, figures out. Not yet wired into a detector (issue 5). */
#ifndef KSTALL_VMA_H
#define KSTALL_VMA_H

#include "../proc/proc.h"

#define VMA_TOP_SIZES 8

struct vma_size_count {
	uint64_t size;
	size_t count;
};

struct vma_stats {
	size_t nvmas;
	uint64_t mapped_bytes;
	struct vma_size_count top_sizes[VMA_TOP_SIZES]; /* most common region sizes */
	size_t ntop;
	size_t nholes;        /* gaps between consecutive regions below the stack */
	uint64_t hole_bytes;
	uint64_t largest_hole;
	/* Neighbours that touch, are both anonymous with the same permissions,
	 * yet are separate regions (different flags or anon_vma the maps file
	 * does not show: the seed's "cannot merge"). */
	size_t unmerged_neighbours;
	uint64_t mmap_base;   /* estimated: top of the mmap area (below the stack) */
};

int vma_analyze(const struct maps *m, struct vma_stats *ret);

/* The cost of finding room for a new mapping of len bytes, top-down from
 * mmap_base, as get_unmapped_area searches:
 *  - linear_steps: the pre-3.8 walk (find_vma from the top, jumping below
 *    each region that leaves too small a hole), counted as the seed did;
 *  - tree_steps: 3.8 and later (gap-augmented rbtree, then maple tree):
 *    about log2 of the region count. */
struct search_cost {
	size_t linear_steps;
	double tree_steps;
	bool found;
};
struct search_cost vma_search_cost(const struct maps *m, uint64_t mmap_base, uint64_t len);

#endif

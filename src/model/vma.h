/* Address-space layout (seed 001), pure: a parsed /proc/PID/maps in, a
 * small summary out. The reader summarises each process's maps as it
 * reads them and keeps only the summary, so memory stays bounded however
 * many regions a host's processes have. */
#ifndef KSTALL_VMA_H
#define KSTALL_VMA_H

#include "../proc/proc.h"

#define VMA_TOP_SIZES 12

/* Hole sizes, in buckets: up to 16 KB, 128 KB, 1 MB, 16 MB, 1 GB, more. */
#define VMA_HOLE_BUCKETS 6
extern const uint64_t vma_hole_bucket_max[VMA_HOLE_BUCKETS]; /* inclusive; last is UINT64_MAX */

/* Counts are 32 bits: a process has at most vm.max_map_count regions (an
 * int), and a host of 30,000 processes keeps a summary for each. */
struct vma_size_count {
	uint64_t size;
	uint32_t count;
	/* Finding room for one more mapping of this size, top-down from
	 * mmap_base as kernels before 3.8 searched: find_vma calls. */
	uint32_t linear_steps;
	bool found;
};

struct vma_summary {
	uint32_t nvmas;
	uint32_t ntop;
	uint64_t mapped_bytes;
	struct vma_size_count top_sizes[VMA_TOP_SIZES]; /* most common region sizes */
	/* Gaps between consecutive regions, not counting the widest (the
	 * unused middle of the address space) or those next to the stack,
	 * vdso and the like. */
	uint32_t nholes;
	/* Neighbours that touch, are both anonymous with the same permissions,
	 * yet are separate regions: they differ in something the maps file
	 * does not show (flags, anon_vma, policy), the seed's "cannot merge". */
	uint32_t unmerged_neighbours;
	uint64_t hole_bytes;
	uint64_t largest_hole;
	uint32_t hole_buckets[VMA_HOLE_BUCKETS];
	uint64_t mmap_base;   /* estimated: top of the mmap area (below the stack) */
	/* The gap-augmented tree (3.8+: rbtree, then maple tree) finds room
	 * in about log2(regions) steps whatever the holes look like. */
	double tree_steps;
};

int vma_summarize(const struct maps *m, struct vma_summary *ret);

/* The cost of finding room for a new mapping of len bytes, top-down from
 * mmap_base, as get_unmapped_area searched before 3.8
 * (arch_get_unmapped_area_topdown: find_vma from the top, jumping below
 * each region that leaves too small a hole), counted as the seed did:
 * the worst case, from mmap_base, with no free_area_cache help. */
struct search_cost {
	size_t linear_steps;
	bool found;
};
struct search_cost vma_search_cost(const struct maps *m, uint64_t mmap_base, uint64_t len);

/* Which search the kernel does: true for the linear walk (before 3.8). */
bool vma_linear_search(const struct kernel_version *kv);

#endif

/* Knowledge base, address spaces: fragmentation, vm.max_map_count, mmap churn. */
#include "kb.h"
#include "../lib/util.h"

static const struct kb_entry entries[] = {
{
	.id = "vma.fragmentation",
	.title = "A process's address space is split into thousands of regions",
	.mechanism =
	"Every mmap, and every malloc that glibc serves with mmap (at or above its mmap threshold, "
	"128 KiB by default), creates a memory region (VMA); the kernel merges it with a neighbour only "
	"if both are alike in every respect. Regions that differ, or that are freed in a different "
	"order, leave a layout of many regions and small holes. To place a new mapping the kernel "
	"searches for a hole big enough (get_unmapped_area). Before 3.8 that search walked down from "
	"mmap_base calling find_vma for every region that left too small a hole below it; from 3.8 a "
	"gap-augmented tree (a maple tree from 6.1) finds the hole in about log2(regions) steps.",
	.harm =
	"Before 3.8, thousands of small holes near mmap_base make every mapping of a larger size walk "
	"thousands of regions: find_vma at the top of the profile, load rising with traffic. On any "
	"kernel the count costs in fork (dup_mmap copies every region), munmap and mprotect (splits "
	"and tree updates under mmap_lock), readers of /proc/PID/maps and smaps (they hold the lock "
	"longer), and at vm.max_map_count the next mmap fails.",
	.confirm =
	"wc -l /proc/PID/maps for the count; sort the region sizes (awk on the address column) to see "
	"which sizes dominate and how small the holes between them are. perf top showing find_vma or "
	"get_unmapped_area confirms the search cost on an old kernel. kstall computes the walk the "
	"kernel would do for the sizes the process maps, with the model the running kernel uses.",
	.fix =
	"Cheapest first: where the regions are mallocs, raise glibc's mmap threshold (mallopt "
	"M_MMAP_THRESHOLD, GLIBC_TUNABLES=glibc.malloc.mmap_threshold; no code change) so mid-size "
	"buffers come from the heap, at the cost of memory held longer. Reuse or pool buffers instead "
	"of mapping them per request, and keep allocation sizes fixed (a code change). Reduce caches of "
	"small mappings; MALLOC_ARENA_MAX caps glibc's arenas, at the cost of threads contending for "
	"them. Kernels 3.8 and later remove the linear walk.",
	.seen_in = "seed 001: a database server at load 70 with find_vma at 23% of CPU; 9,053 regions "
		   "(2,885 of 516 KB from 512 KB mallocs), a 516 KB mapping walking 4,000+ regions on 2.6.32.",
},
{
	.id = "vma.map_count_near_limit",
	.title = "A process is close to vm.max_map_count",
	.mechanism =
	"The kernel limits the number of memory regions per process to vm.max_map_count (65530 by "
	"default). mmap fails with ENOMEM at the limit, and so does any mprotect or munmap that would "
	"split a region into two.",
	.harm =
	"Allocations fail although memory is free: malloc returns NULL, pthread_create fails (thread "
	"stacks are mappings), JVMs abort with \"Native memory allocation (mmap) failed\", "
	"Elasticsearch and similar refuse to start.",
	.confirm =
	"wc -l /proc/PID/maps against cat /proc/sys/vm/max_map_count; watch the count grow over time.",
	.fix =
	"Find what creates the regions (vma.fragmentation lists the sizes; vma.mmap_churn, live, the "
	"calls) and pool or merge them. As a stopgap raise vm.max_map_count (262144 is common); a "
	"region costs the kernel about 200 bytes.",
	.seen_in = "seed 001's process held 9,053 regions, 14% of the default limit; search engines and "
		   "JVMs with many mapped files reach it.",
},
{
	.id = "vma.mmap_churn",
	.title = "A process maps and unmaps regions over and over",
	.mechanism =
	"A buffer allocated and freed per operation at or above glibc's mmap threshold becomes an "
	"mmap and a munmap per operation: a search for room (get_unmapped_area), a new region, page "
	"faults to fill it, and on munmap a TLB flush on every CPU running the process's threads. "
	"glibc raises its threshold after the first such free unless the threshold was fixed "
	"(M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, M_TOP_PAD or M_MMAP_MAX set), so steady churn means a "
	"fixed threshold, a size above 32 MiB, or a program calling mmap itself.",
	.harm =
	"Each pair costs microseconds of kernel time plus a fault per page touched, against "
	"nanoseconds for reusing the buffer; it holds mmap_lock for writing, so it also delays the "
	"process's page faults. On a fragmented address space before 3.8 each mapping also walks "
	"thousands of regions (vma.fragmentation): the seed's find_vma at 23% of CPU.",
	.confirm =
	"bpftrace -e 'tracepoint:syscalls:sys_enter_mmap { @m[comm, args->len] = count(); } "
	"tracepoint:syscalls:sys_enter_munmap { @u[comm, args->len] = count(); }' shows the sizes; "
	"strace -f -e trace=mmap,munmap -p PID on a test host. kstall watch pairs them per process and "
	"size, times the calls and counts the searches (mmap:vm_unmapped_area).",
	.fix =
	"If the buffers are mallocs, the cheapest fix is glibc's mmap threshold raised above the "
	"largest size (mallopt(M_MMAP_THRESHOLD, n), GLIBC_TUNABLES=glibc.malloc.mmap_threshold=n; "
	"at most 32 MiB) so they come from the heap; the heap then keeps freed memory until "
	"M_TRIM_THRESHOLD trims it, so RSS is higher. Otherwise, or as well, reuse the buffer or pool "
	"it (a code change).",
	.seen_in = "seed 001: a data structure that allocated and freed a 512 KB buffer per request; "
		   "each became a 516 KB mmap and munmap.",
}
};

const struct kb_table kb_vma = {entries, ARRAY_SIZE(entries)};

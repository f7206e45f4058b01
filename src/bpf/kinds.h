/* The kinds of wait, the one list both sides compile: KS_* in kstall.h
 * (the BPF programs and trace.c), TR_* and tr_kind_name() in
 * src/collect/traced.{h,c} (detectors, renderers, recordings).
 *
 *   KS_KIND(ID, VALUE, "name", FAMILY, "what one is")
 *
 * VALUE is what the kernel side writes and recordings hold: 1, 2, ... in
 * this order (traced.c asserts it), never renumbered. "name" is the kind
 * in JSON and recordings. FAMILY is its shape, which decides how user
 * space keys, shows and files it (tr_kind_family(), src/collect/traced.h):
 * WAIT, a wait (or count) per process; VMOP, an address-space operation
 * per process and length (vm_ops in JSON); CPU, interrupt work per CPU
 * (the key's tgid holds the CPU; irqs in JSON); WRITEBACK, a wait per
 * process and device (dev_t detail); MMAP_LOCK, a wait or hold per
 * process and where (KS_ML_* detail). Include with KS_KIND defined; no guard, so that
 * each includer makes what it needs of the list.
 *
 * detail, extra1 and extra2 are the histogram's and event's fields. */
#ifndef KS_KIND
#error "define KS_KIND(id, value, name, family, what) before including kinds.h"
#endif

/* Reclaim, per process. detail: the allocation's order; extra1: pages
 * reclaimed. */
KS_KIND(DIRECT_RECLAIM, 1, "direct_reclaim", WAIT, "a task reclaiming memory itself (global)")
KS_KIND(MEMCG_RECLAIM, 2, "memcg_reclaim", WAIT, "a task reclaiming because its memory cgroup is at its limit")
/* detail: the scan function; extra1: objects freed; extra2: scanned. */
KS_KIND(SHRINKER, 3, "shrinker", WAIT, "one slab shrinker call")
/* detail: the node. */
KS_KIND(KSWAPD, 4, "kswapd", WAIT, "kswapd awake, wake to sleep")

/* Address-space operations, per process, in vmops. detail: the length,
 * page-rounded; extra1: calls that failed; extra2 (mmap): anonymous ones. */
KS_KIND(MMAP, 5, "mmap", VMOP, "one mmap(2) call")
KS_KIND(MUNMAP, 6, "munmap", VMOP, "one munmap(2) call")
/* detail 0; a count, no time; extra1: searches that found none. */
KS_KIND(UNMAPPED_AREA, 7, "unmapped_area_search", VMOP, "searches for room (vm_unmapped_area), per process")

/* Interrupt work, per CPU: the histogram key's tgid holds the CPU. */
/* detail: the vector. */
KS_KIND(SOFTIRQ, 8, "softirq", CPU, "one softirq handler run")
KS_KIND(SOFTIRQ_LAT, 9, "softirq_latency", CPU, "a softirq vector's raise to run")
/* detail: the irq; comm: the handler's name. */
KS_KIND(HARDIRQ, 10, "hardirq", CPU, "one hardirq handler run")
/* detail 0; max_tid: its pid. */
KS_KIND(KSOFTIRQD, 11, "ksoftirqd_wait", CPU, "a woken ksoftirqd waiting for its CPU")
/* detail 0. */
KS_KIND(TIMER_LATE, 12, "timer_lateness", CPU, "a hard hrtimer run after its expiry time: how late")

/* Per process again. duration: the time since the previous open;
 * extra1: opens with no earlier one traced. */
KS_KIND(SLABINFO, 13, "slabinfo_open", WAIT, "an open of /proc/slabinfo")

/* Dirty throttling, per process and device (detail: the bdi's or the
 * file's superblock's dev_t, major << 20 | minor). */
/* extra1/extra2: sums of the bdi's dirty pages and setpoint. */
KS_KIND(BDP, 14, "dirty_throttle", WRITEBACK, "a balance_dirty_pages pause as slept, tracepoint to wakeup")
/* duration: the planned pause; extra1/extra2: sums of global dirty
 * pages and the global limit. */
KS_KIND(BDP_PLAN, 15, "dirty_throttle_planned", WRITEBACK, "the same pause as the kernel planned it")
KS_KIND(WB_WAIT, 16, "writeback_wait", WRITEBACK, "a wait for a page under writeback, folio_wait_writeback to wakeup")

/* mmap_lock, per process; detail: where (KS_ML_* in kstall.h). */
KS_KIND(ML_WAIT_READ, 17, "mmap_lock_wait_read", MMAP_LOCK, "a wait to take a process's mmap_lock for reading")
KS_KIND(ML_WAIT_WRITE, 18, "mmap_lock_wait_write", MMAP_LOCK, "a wait to take it for writing")
/* extra1: holds by a clone without CLONE_VM (a fork); extra2: sum of
 * map_count. */
KS_KIND(ML_HOLD, 19, "mmap_lock_hold_write", MMAP_LOCK, "the lock held for writing")

/* Counters of what kstall itself could not keep (never silent), the one
 * list both sides compile: KS_STAT_* in kstall.h, indices of the per-CPU
 * `stats` map the BPF programs count in and user space sums.
 *
 *   KS_STAT(ID, field, "what it counts")
 *
 * field: the name user space gives the counter (struct traced's). Numbered
 * from 0 in this order. Include with KS_STAT defined; no guard. */
#ifndef KS_STAT
#error "define KS_STAT(id, field, what) before including stats.h"
#endif

KS_STAT(RINGBUF_LOST, ringbuf_lost, "outlier or path events dropped: ring full")
KS_STAT(HIST_FULL, hist_full, "histogram map full: a wait not aggregated")
KS_STAT(WAITS_FULL, waits_full, "per-thread record map full")
KS_STAT(LOOKUPS_FULL, lookups_full, "failed-lookup map full")
KS_STAT(PATHS_SAMPLED, paths_sampled, "paths sent for pattern analysis")
KS_STAT(PATHS_UNSAMPLED, paths_unsampled, "failed lookups counted but not sampled (budget)")
KS_STAT(VMOPS_FULL, vmops_full, "mmap/munmap map full: a call not aggregated")
KS_STAT(IRQS_FULL, irqs_full, "per-CPU irq histogram map full")

/* Dirty-page throttling (seed 004): balance_dirty_pages pauses and waits
 * for pages under writeback, each until the writer is woken, through the
 * shared wait mechanism (histograms in `hists`). */
#include "mechanism.h"

#include <sys/syscall.h>

static void configure(struct tracer *t, const struct trace_opts *o)
{
	/* writeback:balance_dirty_pages is a classic tracepoint (its fields
	 * hold the kernel's own figures in ms and pages): attached through
	 * tracefs, which kstall mounts privately when it can. */
	if (!o->syscall_tracepoints)
		tracer_drop(t, TG_WRITEBACK, "no tracefs (needs root to mount it privately): "
			    "writeback:balance_dirty_pages is attached through it");
	/* on_wakeup (shared with irq) closes the pauses */
	t->skel->rodata->wake_writeback = (t->groups & TG_WRITEBACK) != 0;
	/* a sync's wait for writeback is not a paused writer */
	long nrs[] = {
#ifdef SYS_sync
		SYS_sync,
#endif
#ifdef SYS_syncfs
		SYS_syncfs,
#endif
#ifdef SYS_fsync
		SYS_fsync,
#endif
#ifdef SYS_fdatasync
		SYS_fdatasync,
#endif
#ifdef SYS_sync_file_range
		SYS_sync_file_range,
#endif
#ifdef SYS_msync
		SYS_msync,
#endif
	};
	_Static_assert(ARRAY_SIZE(nrs) <= ARRAY_SIZE(t->skel->rodata->sync_nrs), "sync_nrs too small");
	for (size_t i = 0; i < ARRAY_SIZE(nrs); i++)
		t->skel->rodata->sync_nrs[i] = nrs[i];
}

const struct tr_mechanism tr_writeback = {
	.name = "writeback",
	.groups = (const struct tr_group[]){
		{.group = TG_WRITEBACK,
		 .tracepoints = TR_LIST("balance_dirty_pages", "sched_wakeup"),
		 .progs = TR_LIST("bdp", "on_wakeup")},
		/* Closed by the same wakeup program; before 5.16 (no
		 * folio_wait_writeback) only the pauses are traced. */
		{.group = TG_WB_WAIT,
		 .tracepoints = TR_LIST("folio_wait_writeback"),
		 .progs = TR_LIST("wb_wait"),
		 .requires = TG_WRITEBACK},
		{0},
	},
	.configure = configure,
};

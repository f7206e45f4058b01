/* mmap_lock stalls (seed 000): waits for the lock and holds for writing,
 * from the mmap_lock tracepoints (5.12+) with lock:contention_begin/end
 * (5.19+) beside them, so that an uncontended acquisition costs one
 * compare (the cheap way, src/bpf/mmap_lock.bpf.h); from the mmap_lock
 * tracepoints alone (every acquisition timed) before 5.19; else the waits
 * only from lock:contention_begin/end. Page-fault addresses, where the
 * kernel has the x86 fault tracepoints, tell waits in faults apart.
 * An outlier carries the holder, decoded here. */
#include "mechanism.h"

#include <sys/syscall.h>

#define CONTENTION_NOTE "mmap_lock waits come from lock:contention_begin/end, which do not show holds"

/* The holder an outlier wait carries in its path field. */
static void holder_of(struct tr_event *x, const struct ks_event *e)
{
	struct ks_ml_info mi;
	if (!tr_kind_is_mmap_lock(e->kind))
		return;
	memcpy(&mi, e->path, sizeof(mi));
	x->ml = (struct tr_ml_holder){.present = mi.holder_tid != 0, .tid = mi.holder_tid, .tgid = mi.holder_tgid,
				      .where = mi.holder_where, .hold_ns = mi.holder_hold_ns,
				      .flags = mi.holder_flags, .map_count = mi.map_count, .total_vm = mi.total_vm};
	snprintf(x->ml.comm, sizeof(x->ml.comm), "%.*s", KS_COMM_LEN, mi.holder_comm);
}

static void configure(struct tracer *t, const struct trace_opts *o)
{
	t->skel->rodata->clone_nr = SYS_clone;
#ifdef SYS_clone3
	t->skel->rodata->clone3_nr = SYS_clone3;
#endif
#ifdef SYS_fork
	t->skel->rodata->fork_nr = SYS_fork;
#endif
#ifdef SYS_vfork
	t->skel->rodata->vfork_nr = SYS_vfork;
#endif
	bool both = (t->groups & TG_MMAP_LOCK) && (t->available & TG_ML_CONTENTION);
	if (o->ml_contention && both) {
		t->groups |= TG_ML_CONTENTION;
		tracer_drop(t, TG_MMAP_LOCK, "KSTALL_ML_CONTENTION=1: " CONTENTION_NOTE);
	} else if (both && !o->ml_full) {
		/* the cheap way: contention_begin/end give the waits */
		t->groups |= TG_ML_CONTENTION;
		t->skel->rodata->ml_cheap = true;
	}
}

const struct tr_mechanism tr_mmap_lock = {
	.name = "mmap_lock",
	.groups = (const struct tr_group[]){
		{.group = TG_MMAP_LOCK,
		 .tracepoints = TR_LIST("mmap_lock_start_locking", "mmap_lock_acquire_returned", "mmap_lock_released"),
		 .progs = TR_LIST("ml_start", "ml_acquired", "ml_released")},
		{.group = TG_FAULT_ADDR,
		 .tracepoints = TR_LIST("page_fault_user", "page_fault_kernel"),
		 .progs = TR_LIST("ml_fault_user", "ml_fault_kernel"),
		 .requires = TG_MMAP_LOCK | TG_ML_CONTENTION},
		{.group = TG_ML_CONTENTION,
		 .tracepoints = TR_LIST("contention_begin", "contention_end"),
		 .progs = TR_LIST("ml_cbegin", "ml_cend"),
		 .fallback_for = TG_MMAP_LOCK,
		 .fallback_note = CONTENTION_NOTE},
		{0},
	},
	.configure = configure,
	.outlier = holder_of,
};

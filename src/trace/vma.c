/* mmap churn (seed 001): mmap and munmap calls per process and length,
 * and the kernel's searches for room (mmap:vm_unmapped_area). Calls are
 * traced on those syscalls' own events with tracefs, else on raw
 * sys_enter/sys_exit (the programs shared with failed lookups). Their
 * histograms are in `vmops`, which nothing empties in the kernel: reading
 * it moves the entries of exited processes out. */
#include "mechanism.h"

#include <sys/syscall.h>

#ifdef SYS_mmap
#define SYS_MMAP_NR SYS_mmap
#define MMAP_EVENT "mmap"
#else
#define SYS_MMAP_NR SYS_mmap2
#define MMAP_EVENT "mmap2"
#endif
/* The raw exit program tells mmap from munmap by the syscall number in
 * the registers, known on x86-64 and arm64 only. */
#if defined(__x86_64__) || defined(__aarch64__)
#define RAW_EXIT_NR_KNOWN 1
#else
#define RAW_EXIT_NR_KNOWN 0
#endif

/* vmops holds an entry per (process, kind, length) and nothing removes
 * them in the kernel: on a busy host (builds: thousands of short-lived
 * processes) it would fill within minutes and a churner starting later
 * would go unseen. Once a read finds it a quarter full, entries of processes
 * that have exited leave the map: those with at least VMOPS_KEEP_CALLS calls are kept here
 * (up to VMOPS_RETIRED_MAX), the rest are counted in vmops_pruned. */
#define VMA_TIME_EVERY 8 /* a power of two: one mmap or munmap call in 8 per CPU is timed */
#define VMOPS_PRUNE_AT 2048 /* a quarter of vmops: bursts of short-lived processes fill it fast */
#define VMOPS_KEEP_CALLS 64
#define VMOPS_RETIRED_MAX 8192

static void prune_vmops(struct tracer *t)
{
	const struct bpf_map *m = t->skel->maps.vmops;
	struct ks_hist_key k, next, *dead = NULL;
	size_t ndead = 0, capdead = 0;
	void *prev = NULL;

	while (bpf_map__get_next_key(m, prev, &next, sizeof(next)) == 0) {
		k = next;
		prev = &k;
		char path[32];
		snprintf(path, sizeof(path), "proc/%u", k.tgid);
		if (!sysroot_exists(t->root, path)) {
			ARRAY_GROW(dead, ndead, capdead);
			dead[ndead++] = k;
		}
	}
	for (size_t i = 0; i < ndead; i++) {
		struct ks_hist h;
		if (bpf_map__lookup_elem(m, &dead[i], sizeof(dead[i]), &h, sizeof(h), 0) == 0) {
			if (h.count >= VMOPS_KEEP_CALLS && t->nretired < VMOPS_RETIRED_MAX) {
				ARRAY_GROW(t->retired, t->nretired, t->capretired);
				tracer_hist_from_map(&t->retired[t->nretired++], &dead[i], &h);
			} else {
				t->vmops_pruned += h.count;
			}
		}
		bpf_map__delete_elem(m, &dead[i], sizeof(dead[i]), 0);
	}
	free(dead);
}

static void read_vmops(struct tracer *t, struct traced *out)
{
	/* Retired entries first: prune_vmops below retires entries this read
	 * has already taken from the map. */
	for (size_t i = 0; i < t->nretired; i++) {
		ARRAY_GROW(out->hists, out->nhists, out->caphists);
		out->hists[out->nhists++] = t->retired[i];
	}
	if (tracer_read_hists(t, t->skel->maps.vmops, out) >= VMOPS_PRUNE_AT)
		prune_vmops(t);
}

static void configure(struct tracer *t, const struct trace_opts *o UNUSED)
{
	t->skel->rodata->mmap_nr = SYS_MMAP_NR;
	t->skel->rodata->munmap_nr = SYS_munmap;
	/* Task-local storage where the kernel has it (5.11+; probed only when
	 * mmap/munmap are traced); the hash then is never used and keeps one
	 * entry, and without it the storage map is not made at all (the
	 * kernel could not). Neither is needed when the group does not run. */
	bool vma = t->groups & TG_VMA;
	bool ts = vma && !getenv("KSTALL_VMA_HASH") && libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) > 0 &&
		  libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_storage_get, NULL) > 0 &&
		  libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_get_current_task_btf, NULL) > 0;
	t->skel->rodata->vma_ts = ts;
	/* One call in 8 per CPU timed, the rest counted at their exit with
	 * their length from the saved registers (5.15+): a clock read costs
	 * more here than the rest of the pair. The call in progress must be
	 * on the task for the exit to tell a timed call from another. */
	if (ts && t->per_syscall && !getenv("KSTALL_VMA_TIME_ALL") &&
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs, NULL) > 0)
		t->skel->rodata->vma_time_mask = VMA_TIME_EVERY - 1;
	if (ts || !vma)
		bpf_map__set_max_entries(t->skel->maps.vma_waits, 1);
	if (!ts)
		bpf_map__set_autocreate(t->skel->maps.vma_task, false);
	if (t->per_syscall || !(t->groups & TG_VMA))
		return;
	if (RAW_EXIT_NR_KNOWN)
		t->skel->rodata->raw_vma = true;
	else
		tracer_drop(t, TG_VMA, "no tracefs for syscalls:sys_enter_mmap, and the raw sys_exit cannot tell "
			    "mmap from munmap on this architecture");
}

static void attach(struct tracer *t)
{
	static const char *const ev[] = {"sys_enter_" MMAP_EVENT, "sys_exit_" MMAP_EVENT, "sys_enter_munmap",
					  "sys_exit_munmap"};
	if (!t->per_syscall || !(t->groups & TG_VMA))
		return;
	struct bpf_program *const progs[] = {t->skel->progs.vma_tp_enter_mmap, t->skel->progs.vma_tp_exit,
					     t->skel->progs.vma_tp_enter_munmap, t->skel->progs.vma_tp_exit};
	for (size_t i = 0; i < ARRAY_SIZE(ev); i++) {
		struct bpf_program *p = progs[i];
		struct bpf_link *l = bpf_program__attach_tracepoint(p, "syscalls", ev[i]);
		if (!l) {
			tracer_drop(t, TG_VMA, "the syscalls:%s event could not be attached", ev[i]);
			break;
		}
		tracer_keep_link(t, p, l);
	}
}

const struct tr_mechanism tr_vma = {
	.name = "vma",
	.groups = (const struct tr_group[]){
		{.group = TG_VMA,
		 .tracepoints = TR_LIST("sys_enter", "sys_exit"),
		 .syscall_progs = TR_LIST("vma_tp_enter_mmap", "vma_tp_enter_munmap", "vma_tp_exit"),
		 .raw_progs = TR_LIST("path_sys_enter", "path_sys_exit")},
		/* Counted for the mmap calls only; without it their finding says
		 * searches were not traced. */
		{.group = TG_VMA_SEARCH,
		 .tracepoints = TR_LIST("vm_unmapped_area"),
		 .progs = TR_LIST("unmapped_area"),
		 .requires = TG_VMA},
		{0},
	},
	.configure = configure,
	.attach = attach,
	.read = read_vmops,
};

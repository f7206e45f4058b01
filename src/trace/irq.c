/* Interrupt work (seed 003): softirq and hardirq handler runs, softirq
 * raise-to-run waits, woken ksoftirqd threads waiting for their CPU, and
 * hard timers run late (interrupts kept off). Per CPU, not per process:
 * histograms per (CPU, kind, vector or IRQ) in `irqh`. */
#include "mechanism.h"
#include "../lib/tracefs.h"

#include <bpf/btf.h>

void tracer_irqsoff_note(const char *available, char *buf, size_t len)
{
	static const char *const want[] = {"irqsoff", "preemptirqsoff", "osnoise", "timerlat"};
	char have[128] = "";
	size_t n = 0;

	for (size_t i = 0; available && i < ARRAY_SIZE(want); i++) {
		/* whole words of a space-separated line */
		size_t wl = strlen(want[i]);
		for (const char *p = strstr(available, want[i]); p; p = strstr(p + 1, want[i]))
			if ((p == available || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == 0 || p[wl] == '\n')) {
				n += (size_t)snprintf(have + n, n < sizeof(have) ? sizeof(have) - n : 0, "%s%s",
						      n ? ", " : "", want[i]);
				break;
			}
	}
	if (!available)
		snprintf(buf, len, "tracefs could not be read, so whether the kernel has the irqsoff, osnoise or "
			 "timerlat tracers is unknown");
	else if (!have[0])
		snprintf(buf, len, "this kernel has no irqsoff, osnoise or timerlat tracer (available_tracers: %s)",
			 available[0] ? available : "none");
	else
		snprintf(buf, len, "this kernel has the %s tracer%s, but kstall does not switch current_tracer, a "
			 "host-wide setting another tool may own", have, strchr(have, ',') ? "s" : "");
}

/* The ksoftirqd/N kernel threads, by name, each at its CPU N; returns
 * how many. */
static unsigned add_ksoftirqd_pids(struct tracer *t)
{
	char **names = NULL;
	unsigned n = 0;
	if (sysroot_list(t->root, "proc", &names) < 0)
		return 0;
	for (char **p = names; *p; p++) {
		char path[64];
		struct buf b = {0};
		if (**p < '0' || **p > '9')
			continue;
		snprintf(path, sizeof(path), "proc/%s/comm", *p);
		unsigned cpu;
		if (sysroot_read(t->root, path, &b) == 0 && sscanf(b.data, "ksoftirqd/%u", &cpu) == 1) {
			struct ks_ksd k = {.pid = (__u32)atoi(*p)};
			if (bpf_map__update_elem(t->skel->maps.ksoftirqd, &cpu, sizeof(cpu), &k, sizeof(k), BPF_ANY) == 0)
				n++;
		}
		buf_free(&b);
	}
	strv_free(names);
	return n;
}

/* The byte offset of member name in struct id, or -1 (no such struct or
 * member, or a bitfield). */
static __s64 member_offset(const struct btf *b, __s32 id, const char *name)
{
	if (id < 0)
		return -1;
	const struct btf_type *t = btf__type_by_id(b, (__u32)id);
	const struct btf_member *m = btf_members(t);
	for (__u16 i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(b, m[i].name_off), name))
			return btf_member_bitfield_size(t, i) ? -1 : (__s64)(btf_member_bit_offset(t, i) / 8);
	return -1;
}

/* The distance in the per-CPU area from runqueues to steal_time.steal,
 * KVM's steal clock (irq.bpf.h), from the kernel's BTF: 0 where it has
 * none. KSTALL_NO_STEAL=1 forces 0. */
static __s64 steal_from_rq(const struct btf *b)
{
	if (!b || getenv("KSTALL_NO_STEAL"))
		return 0;
	__s32 sec = btf__find_by_name_kind(b, ".data..percpu", BTF_KIND_DATASEC);
	__s32 st = btf__find_by_name_kind(b, "kvm_steal_time", BTF_KIND_STRUCT);
	__s32 se = btf__find_by_name_kind(b, "sched_entity", BTF_KIND_STRUCT);
	__s32 cfs = btf__find_by_name_kind(b, "cfs_rq", BTF_KIND_STRUCT);
	if (sec < 0 || st < 0 || member_offset(b, se, "cfs_rq") < 0 || member_offset(b, cfs, "rq") < 0)
		return 0; /* the run queue is reached through them (CONFIG_FAIR_GROUP_SCHED) */
	__s64 off_steal = -1, off_rq = -1, member = member_offset(b, st, "steal");
	const struct btf_type *ts = btf__type_by_id(b, (__u32)st);
	const struct btf_type *ds = btf__type_by_id(b, (__u32)sec);
	const struct btf_var_secinfo *v = btf_var_secinfos(ds);
	for (__u16 i = 0; i < btf_vlen(ds); i++) {
		const char *name = btf__name_by_offset(b, btf__type_by_id(b, v[i].type)->name_off);
		if (!strcmp(name, "steal_time") && v[i].size == ts->size)
			off_steal = v[i].offset;
		else if (!strcmp(name, "runqueues"))
			off_rq = v[i].offset;
	}
	if (off_steal < 0 || off_rq < 0 || member < 0 || off_steal + member == off_rq)
		return 0;
	return off_steal + member - off_rq;
}

static void configure(struct tracer *t, const struct trace_opts *o UNUSED)
{
	/* The softirq, timer and ksoftirqd histograms are each CPU's own
	 * (irq_cpu, 6.9 KB a CPU); irqh holds the hardirq lines by CPU (a
	 * few thousand at most across all CPUs, most lines on a few). */
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu > 0) {
		bpf_map__set_max_entries(t->skel->maps.irqh, (__u32)ncpu * 4 + 4096);
		bpf_map__set_max_entries(t->skel->maps.ksoftirqd, (__u32)ncpu);
	}
	/* on_wakeup (shared with writeback) starts ksoftirqd's waits */
	t->skel->rodata->wake_ksoftirqd = (t->groups & TG_KSOFTIRQD) != 0;
	/* Noted on the softirq and hardirq groups (irq.interrupt_steal): the
	 * timer group's running note is irq.irqs_off_tracers'. */
	if (t->groups & (TG_SOFTIRQ | TG_HARDIRQ | TG_TIMER_LATE)) {
		t->skel->rodata->steal_from_rq = steal_from_rq(t->vmlinux);
		if (!t->skel->rodata->steal_from_rq)
			tg_notes_add(&t->notes, t->groups & (TG_SOFTIRQ | TG_HARDIRQ), true,
				     "no KVM steal clock in this kernel's BTF (or KSTALL_NO_STEAL): on a VM, interrupt "
				     "times include time the hypervisor did not run the vCPU");
		else if (!(t->groups & TG_TIMER_LATE))
			tg_notes_add(&t->notes, t->groups & (TG_SOFTIRQ | TG_HARDIRQ), true,
				     "hard timers are not traced, so the steal clock is never read: on a VM, "
				     "interrupt times include time the hypervisor did not run the vCPU");
	}
}

static void seed(struct tracer *t)
{
	if (t->groups & TG_TIMER_LATE) {
		char avail[512], note[768];
		tracer_irqsoff_note(tracefs_available_tracers(avail, sizeof(avail)) == 0 ? avail : NULL, note,
				    sizeof(note));
		tg_notes_add(&t->notes, TG_TIMER_LATE, true, "%s", note);
	}
	if ((t->groups & TG_KSOFTIRQD) && add_ksoftirqd_pids(t) == 0)
		tracer_drop(t, TG_KSOFTIRQD, "no ksoftirqd/N threads found in proc");
}

/* Each CPU's own histograms (irq_cpu), those that counted anything. */
static void read_irq_cpu(struct tracer *t, struct traced *out)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 zero = 0;
	if (ncpu <= 0)
		return;
	struct ks_irq_cpu *v = xcalloc((size_t)ncpu, sizeof(*v));
	if (bpf_map__lookup_elem(t->skel->maps.irq_cpu, &zero, sizeof(zero), v, sizeof(*v) * (size_t)ncpu, 0) == 0)
		for (int c = 0; c < ncpu; c++) {
			const struct ks_irq_cpu *s = &v[c];
			struct ks_hist_key k = {.tgid = (__u32)c};
			for (unsigned vec = 0; vec < KS_NR_SOFTIRQS; vec++) {
				k.detail = vec;
				k.kind = KS_SOFTIRQ;
				if (s->run[vec].count)
					tracer_add_hist(t, &k, &s->run[vec], out);
				k.kind = KS_SOFTIRQ_LAT;
				if (s->lat[vec].count)
					tracer_add_hist(t, &k, &s->lat[vec], out);
			}
			k.detail = 0;
			k.kind = KS_TIMER_LATE;
			if (s->late.count)
				tracer_add_hist(t, &k, &s->late, out);
			k.kind = KS_KSOFTIRQD;
			if (s->ksd.count)
				tracer_add_hist(t, &k, &s->ksd, out);
		}
	free(v);
}

static void read_irqh(struct tracer *t, struct traced *out)
{
	tracer_read_hists(t, t->skel->maps.irqh, out); /* hardirqs, by line */
	read_irq_cpu(t, out);
}

const struct tr_mechanism tr_irq = {
	.name = "irq",
	.groups = (const struct tr_group[]){
		{.group = TG_SOFTIRQ,
		 .tracepoints = TR_LIST("softirq_entry", "softirq_exit", "softirq_raise"),
		 .progs = TR_LIST("softirq_raise", "softirq_entry", "softirq_exit")},
		{.group = TG_HARDIRQ,
		 .tracepoints = TR_LIST("irq_handler_entry", "irq_handler_exit"),
		 .progs = TR_LIST("hardirq_entry", "hardirq_exit")},
		{.group = TG_KSOFTIRQD,
		 .tracepoints = TR_LIST("sched_wakeup", "sched_switch"),
		 .progs = TR_LIST("on_wakeup", "ksoftirqd_switch")},
		{.group = TG_TIMER_LATE, .tracepoints = TR_LIST("hrtimer_expire_entry"), .progs = TR_LIST("timer_expire")},
		{0},
	},
	.configure = configure,
	.seed = seed,
	.read = read_irqh,
};

/* Interrupt work (seed 003), per CPU, not per process: softirq handler
 * runs and raise-to-run latency, hardirq handlers, woken ksoftirqd
 * threads waiting for their CPU, and hard hrtimers run late (interrupts
 * kept off). The histogram key's tgid holds the CPU. */
#ifndef KSTALL_IRQ_BPF_H
#define KSTALL_IRQ_BPF_H

#include "common.bpf.h"

/* Interrupt work per (CPU, kind, vector or irq). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ks_hist_key);
	__type(value, struct ks_hist);
} irqh SEC(".maps");

/* Per CPU (struct ks_irq_cpu, kstall.h): the softirq and timer state and
 * histograms, reached with one inlined lookup and updated without
 * atomics (a CPU's own; handlers of one kind do not nest on a CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ks_irq_cpu);
} irq_cpu SEC(".maps");

/* Each CPU's ksoftirqd thread (indexed by the CPU: it is bound there and
 * lives for ever) and when it was woken (0: not waiting), filled by user
 * space from /proc at start. An array by CPU, not a hash by pid: every
 * wakeup and context switch on the host asks, and this costs a compare.
 * Sized to the possible CPUs by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ks_ksd);
} ksoftirqd SEC(".maps");

/* task_cpu(p): in thread_info where the task holds it (x86, arm64), else
 * in the task (older layouts). */
struct task_struct___cpu {
	unsigned int cpu;
} __attribute__((preserve_access_index));

static __always_inline __u32 task_cpu_of(struct task_struct *p)
{
	if (bpf_core_field_exists(p->thread_info.cpu))
		return p->thread_info.cpu;
	return BPF_CORE_READ((struct task_struct___cpu *)p, cpu);
}

static __always_inline struct ks_ksd *ksd_of(struct task_struct *p)
{
	__u32 cpu = task_cpu_of(p);
	struct ks_ksd *k = bpf_map_lookup_elem(&ksoftirqd, &cpu);
	return k && k->pid == p->pid ? k : NULL;
}

/* KVM's steal clock, per vCPU: the host adds the time it did not run
 * the vCPU each time it runs it again (struct kvm_steal_time, the per-CPU
 * steal_time of arch/x86/kernel/kvm.c). A stretch on a VM may be the vCPU
 * not running at all: beside fio here a softirq ran 12.5 ms and a timer
 * fired 28.9 ms late, with steal on that CPU. Without CONFIG_KALLSYMS_ALL
 * the kernel cannot resolve it as a ksym, so it is found from this CPU's
 * run queue: per-CPU variables keep their distances in every CPU's copy,
 * and user space gives the distance from runqueues to steal_time.steal
 * (vmlinux BTF). 0: no steal clock here (bare metal, another hypervisor),
 * and nothing is taken out. */
const volatile __s64 steal_from_rq = 0;

struct cfs_rq___grp {
	struct rq *rq;
} __attribute__((preserve_access_index));

static __always_inline __u64 steal_now(void)
{
	if (!steal_from_rq)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	/* se.cfs_rq and cfs_rq->rq: CONFIG_FAIR_GROUP_SCHED (user space
	 * gives no distance without them) */
	if (!bpf_core_field_exists(t->se.cfs_rq))
		return 0;
	struct cfs_rq___grp *c = (struct cfs_rq___grp *)t->se.cfs_rq;
	if (!c || !bpf_core_field_exists(c->rq))
		return 0;
	__u64 rq = (__u64)BPF_CORE_READ(c, rq), v = 0;
	if (!rq)
		return 0;
	bpf_probe_read_kernel(&v, sizeof(v), (void *)(rq + steal_from_rq));
	return v;
}

/* dur with what the hypervisor stole since the steal clock read from. */
static __always_inline __u64 unstolen(__u64 dur, __u64 from, __u64 now)
{
	__u64 stolen = now > from ? now - from : 0;
	return stolen < dur ? dur - stolen : 0;
}

/* The last hard timer's steal reading as a baseline for a stretch that
 * begins at now, or 0 (nothing is taken out) when it is over 100 ms old:
 * the timer group shed, or a CPU long idle. Steal then stays in; never is
 * more taken out than the baseline allows. */
static __always_inline __u64 steal_base(const struct ks_irq_cpu *s, __u64 now)
{
	return now - s->timer_read_ns < 100000000ull ? s->timer_steal : 0;
}

static __always_inline struct ks_irq_cpu *irq_state(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&irq_cpu, &zero);
}

/* hist_add for a histogram of this CPU's own: no atomics. Named after
 * the task it first interrupted, as the shared ones are. */
static __always_inline void hist_add_cpu(struct ks_hist *h, __u64 dur, __u32 tid)
{
	if (!h->count)
		bpf_get_current_comm(h->comm, sizeof(h->comm));
	__u32 slot = log2_us(dur);
	if (slot < KS_HIST_SLOTS)
		h->slots[slot]++;
	h->count++;
	h->sum_ns += dur;
	if (dur > h->max_ns) {
		h->max_ns = dur;
		h->max_tid = tid;
	}
}

static __always_inline struct ks_hist *irq_hist(__u32 kind, __u64 detail)
{
	struct ks_hist_key hk = {.tgid = bpf_get_smp_processor_id(), .kind = kind, .detail = detail};
	return hist_get_in(&irqh, &hk, KS_STAT_IRQS_FULL);
}

/* An interrupt-side duration at or above the threshold, to user space. */
static __always_inline void irq_outlier(__u32 kind, __u64 detail, __u64 dur)
{
	if (dur < threshold_ns)
		return;
	/* comm: what it interrupted, or ksoftirqd */
	struct ks_event *e = event_new(KS_EV_WAIT, kind, dur, detail, bpf_get_smp_processor_id(), 0);
	if (e)
		bpf_ringbuf_submit(e, 0);
}

SEC("tp_btf/softirq_raise")
int BPF_PROG(softirq_raise, unsigned int vec)
{
	struct ks_irq_cpu *s = irq_state();
	if (s && vec < KS_NR_SOFTIRQS && !s->raised[vec]) {
		__u64 now = bpf_ktime_get_ns();
		s->raised[vec] = now;
		s->raise_steal[vec] = steal_base(s, now);
	}
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(softirq_entry, unsigned int vec)
{
	struct ks_irq_cpu *s = irq_state();
	if (!s || vec >= KS_NR_SOFTIRQS)
		return 0;
	__u64 now = bpf_ktime_get_ns(), raised = s->raised[vec];
	s->entered[vec] = now;
	s->soft_steal = steal_base(s, now); /* softirqs do not nest on a CPU */
	s->raised[vec] = 0;
	if (!raised)
		return 0; /* raised before tracing started */
	__u64 wait = now - raised;
	if (wait >= KS_STEAL_FLOOR_NS && s->raise_steal[vec])
		wait = unstolen(wait, s->raise_steal[vec], steal_now());
	hist_add_cpu(&s->lat[vec], wait, 0);
	return 0;
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(softirq_exit, unsigned int vec)
{
	struct ks_irq_cpu *s = irq_state();
	if (!s || vec >= KS_NR_SOFTIRQS || !s->entered[vec])
		return 0;
	__u64 dur = bpf_ktime_get_ns() - s->entered[vec];
	s->entered[vec] = 0;
	if (dur >= KS_STEAL_FLOOR_NS && s->soft_steal) /* shorter, steal cannot make a finding */
		dur = unstolen(dur, s->soft_steal, steal_now());
	hist_add_cpu(&s->run[vec], dur, (__u32)bpf_get_current_pid_tgid());
	irq_outlier(KS_SOFTIRQ, vec, dur);
	return 0;
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(hardirq_entry, int irq, struct irqaction *action)
{
	struct ks_irq_cpu *s = irq_state();
	if (s) {
		s->hard_entered = bpf_ktime_get_ns();
		s->hard_steal = steal_base(s, s->hard_entered);
	}
	return 0;
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(hardirq_exit, int irq, struct irqaction *action, int ret)
{
	struct ks_irq_cpu *s = irq_state();
	if (!s || !s->hard_entered)
		return 0;
	__u64 dur = bpf_ktime_get_ns() - s->hard_entered;
	s->hard_entered = 0;
	if (dur >= KS_STEAL_FLOOR_NS && s->hard_steal)
		dur = unstolen(dur, s->hard_steal, steal_now());
	struct ks_hist *h = irq_hist(KS_HARDIRQ, (__u64)irq);
	if (!h)
		return 0;
	if (!h->count) /* first time: the handler's name instead of a task's */
		bpf_probe_read_kernel_str(h->comm, sizeof(h->comm), BPF_CORE_READ(action, name));
	hist_add(h, dur, 0, 0, 0);
	irq_outlier(KS_HARDIRQ, (__u64)irq, dur);
	return 0;
}

/* Interrupts kept off: a hard hrtimer runs from the timer interrupt, so
 * how late it runs after its expiry time bounds how long this CPU could
 * not take that interrupt (interrupts off, a long handler before it, or
 * the hypervisor not running the vCPU). The task it interrupted is the
 * likely one that kept them off: when interrupts come back on, the
 * pending timer interrupt runs at once, in that task's context. */
SEC("tp_btf/hrtimer_expire_entry")
int BPF_PROG(timer_expire, struct hrtimer *timer, ktime_t *now)
{
	if (timer->is_soft) /* run from softirq: softirq latency, measured there */
		return 0;
	__s64 nowv = 0, exp = timer->node.expires;
	if (bpf_probe_read_kernel(&nowv, sizeof(nowv), now) < 0)
		return 0;
	__u64 late = nowv > exp ? (__u64)(nowv - exp) : 0;
	struct ks_irq_cpu *s = irq_state();
	if (!s)
		return 0;
	/* Stolen since the timer interrupt before this one (a tick at most
	 * before this timer expired, on a busy CPU): the timers one interrupt
	 * runs together (within 100 us) share that baseline, so the second
	 * and later are corrected too. */
	__u64 steal = steal_now(), t = bpf_ktime_get_ns();
	if (t - s->timer_read_ns > 100000)
		s->timer_steal_prev = s->timer_steal;
	s->timer_steal = steal;
	s->timer_read_ns = t;
	if (late >= KS_STEAL_FLOOR_NS && s->timer_steal_prev)
		late = unstolen(late, s->timer_steal_prev, steal);
	hist_add_cpu(&s->late, late, (__u32)bpf_get_current_pid_tgid());
	irq_outlier(KS_TIMER_LATE, 0, late);
	return 0;
}

/* ksoftirqd: from wakeup to running (the wakeup: see on_wakeup). */
static __always_inline void ksoftirqd_woken(struct task_struct *p)
{
	struct ks_ksd *k = ksd_of(p);
	if (k && !k->woken_ns)
		k->woken_ns = bpf_ktime_get_ns();
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ksoftirqd_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct ks_ksd *k = ksd_of(next);
	if (!k || !k->woken_ns)
		return 0;
	__u32 pid = k->pid;
	__u64 wait = bpf_ktime_get_ns() - k->woken_ns;
	k->woken_ns = 0;
	struct ks_irq_cpu *s = irq_state(); /* next runs here: its CPU is this one */
	if (s)
		hist_add_cpu(&s->ksd, wait, pid);
	if (wait < threshold_ns)
		return 0;
	/* an outlier: name the thread it got the CPU from */
	struct ks_event *e = event_new(KS_EV_WAIT, KS_KSOFTIRQD, wait, 0, bpf_get_smp_processor_id(), pid);
	if (!e)
		return 0;
	/* sched_switch runs in prev's context: current is prev */
	e->tid = BPF_CORE_READ(prev, pid);
	e->tgid = BPF_CORE_READ(prev, tgid);
	BPF_CORE_READ_STR_INTO(&e->comm, prev, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#endif

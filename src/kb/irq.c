/* Knowledge base, interrupts and softirqs: RPS, hotspots, IPIs, drops, long handlers. */
#include "kb.h"
#include "../lib/util.h"

static const struct kb_entry entries[] = {
{
	.id = "irq.rps_on_busy_host",
	.title = "RPS steers packets to CPUs that have no time to spare",
	.mechanism =
	"Receive packet steering (rps_cpus per receive queue) lets the CPU that took a NIC's interrupt "
	"hand each packet's protocol processing to another CPU: it queues the packet on that CPU's "
	"backlog and sends it an inter-processor interrupt (a function-call IPI, CAL in "
	"/proc/interrupts) that raises NET_RX there. It spreads work when a single-queue NIC would "
	"overload one CPU, and only helps when the target CPUs have idle time.",
	.harm =
	"On a host that is already busy, every steered batch costs an IPI and a softirq on a CPU that "
	"was running the application: softirq and interrupt time rise, user time falls and throughput "
	"drops. The seed-003 service lost QPS when RPS was turned on at over 90% CPU: about 10 us of "
	"CPU per RPS IPI, with an IPI for every packet or two. Where batches are larger (many packets "
	"per IPI, a bulk flow) the interrupts are amortised and the loss is small.",
	.confirm =
	"cat /sys/class/net/IF/queues/rx-*/rps_cpus (non-zero: on). Sample /proc/stat per CPU (softirq "
	"and idle), /proc/interrupts CAL and /proc/net/softnet_stat columns 1 and 10 (processed, "
	"received_rps) twice: received_rps / processed is RPS's IPIs per packet. Compare throughput "
	"with RPS on and off.",
	.fix =
	"Turn RPS off while the host has no headroom (echo 0 > .../rps_cpus): cheap and reversible, "
	"but the receive work goes back to the CPU that takes the NIC's interrupt, which RPS may have "
	"been turned on to relieve (irq.softirq_hotspot then says so). Or steer only to CPUs that are "
	"kept free of the application. Prefer the NIC's hardware queues (RSS, ethtool -L) with their "
	"interrupts spread over CPUs, where the NIC has them. RFS (rps_sock_flow_entries, "
	"rps_flow_cnt) steers to the CPU where the consuming thread runs and reduces cache misses, "
	"but not the IPIs.",
	.seen_in = "seed 003: RPS on a CPU-saturated host lowered QPS; softirq time and IPIs rose.",
},
{
	.id = "irq.softirq_hotspot",
	.title = "One CPU carries most of the softirq work",
	.mechanism =
	"Softirqs (NET_RX, NET_TX, TIMER, BLOCK...) run on the CPU that raised them, usually the one "
	"that took the device's hardware interrupt. A single-queue NIC, or a multi-queue one whose "
	"interrupts all have the same affinity, puts all receive processing on one CPU.",
	.harm =
	"That CPU's threads get only what the softirqs leave; past about 2 ms per round, or 10 rounds, "
	"the rest goes to ksoftirqd, which competes with ordinary threads, and packets wait (latency, "
	"drops). Throughput is capped by one CPU while others idle.",
	.confirm =
	"mpstat -P ALL 1 (%soft per CPU); watch -d cat /proc/softirqs; grep the device in "
	"/proc/interrupts and read /proc/irq/N/smp_affinity.",
	.fix =
	"Spread the interrupts: more hardware queues (ethtool -L), their IRQs on different CPUs "
	"(smp_affinity or irqbalance). For a single-queue device, RPS to CPUs with headroom (an IPI "
	"and a softirq per batch on each target). Keep latency-sensitive threads off the hot CPU.",
	.seen_in = "seed 003's neighbours: long softirqs and ksoftirqd latency on the CPU that takes the NIC.",
},
{
	.id = "irq.ipi_storm",
	.title = "Inter-processor interrupts at a rate that costs real CPU",
	.mechanism =
	"CPUs interrupt each other to run a function (CAL: smp_call_function, used by RPS, by block "
	"I/O completed on the CPU that submitted it, by some drivers and by memory-ordering work), to flush TLBs after a multi-threaded process unmaps or "
	"changes the protection of memory (TLB), and to reschedule (RES). Each costs the receiver an "
	"interrupt entry and exit and whatever the function does.",
	.harm =
	"Tens of thousands per second per CPU take percent of CPU from whatever runs there and add "
	"latency jitter; TLB shootdowns also stall the sender until every target has answered. On a "
	"CPU with idle time they take idle time: 20,000/s there is a fact, not harm.",
	.confirm =
	"Sample the CAL, TLB and RES rows of /proc/interrupts twice. Tracepoints ipi:ipi_send_cpu and "
	"csd:csd_queue_cpu (its func field: rps_trigger_softirq for RPS) name the source; "
	"tlb:tlb_flush for shootdowns.",
	.fix =
	"RPS: off, or to fewer CPUs with headroom. TLB shootdowns: reuse memory instead of unmapping "
	"it (see vma.mmap_churn), fewer threads in one address space, MADV_FREE instead of "
	"MADV_DONTNEED (freed pages stay in RSS until memory is short).",
	.seen_in = "seed 003: function-call IPIs rose with RPS on (64 k extra per run on the target CPU "
		   "here, FIELD-NOTES).",
},
{
	.id = "irq.softnet_drops",
	.title = "Packets dropped at the per-CPU backlog, or receive work out of budget",
	.mechanism =
	"Packets queued to a CPU (RPS, or drivers without NAPI, or veth) wait in its backlog, up to "
	"net.core.netdev_max_backlog. A NET_RX round processes at most net.core.netdev_budget packets "
	"or netdev_budget_usecs; when it stops with work left that is a time squeeze, and the rest runs "
	"in a later round or in ksoftirqd.",
	.harm =
	"Backlog drops are lost packets: retransmits, timeouts, latency. Frequent squeezes mean receive "
	"processing cannot keep up on that CPU.",
	.confirm =
	"/proc/net/softnet_stat, one row per CPU: column 2 dropped, column 3 time_squeeze (hex). "
	"Sample twice; compare with netdev_max_backlog and netdev_budget.",
	.fix =
	"Raise netdev_max_backlog for bursts (packets then wait longer instead of being dropped); "
	"spread receive work (RSS, RPS to idle CPUs); find why the CPU is busy (irq.softirq_hotspot). "
	"Raise netdev_budget(_usecs) a little for squeezes, at the cost of application latency.",
	.seen_in = "seed 003's setting: a busy host where softirq work competes with the application.",
},
{
	.id = "irq.softirq_long",
	.title = "Softirq handlers run long, or wait long to run",
	.mechanism =
	"Softirqs (NET_RX, TIMER, RCU...) are raised by interrupts and run when the interrupt returns, "
	"before the interrupted task continues, for up to 2 ms or 10 rounds; what is left goes to the "
	"per-CPU ksoftirqd thread, an ordinary SCHED_OTHER thread that waits its turn behind the "
	"running tasks.",
	.harm =
	"A long handler run is taken from whatever task was interrupted (latency spikes in a thread that "
	"did nothing wrong). A long wait between raise and run means packets, timers and RCU callbacks "
	"are late: ping latency, TCP retransmits, slow timeouts (seed 003's neighbours).",
	.confirm =
	"libbpf-tools softirqs -d (handler time histograms per vector); the irq:softirq_raise/entry/exit "
	"tracepoints; top shows ksoftirqd/N busy; mpstat %soft.",
	.fix =
	"Spread the work (RSS queues, RPS to CPUs with headroom), bound NET_RX rounds "
	"(net.core.netdev_budget_usecs: more work left to ksoftirqd), keep CPU-bound threads off the "
	"CPUs that take device interrupts, or raise ksoftirqd's priority there (under a flood it then "
	"runs ahead of the application).",
	.seen_in = "seed 003: long softirqs and ksoftirqd latency on a saturated host.",
},
{
	.id = "irq.hardirq_long",
	.title = "A hardware interrupt handler runs long",
	.mechanism =
	"A hardirq handler runs with interrupts off on its CPU; it should take microseconds and leave "
	"the rest to a softirq or a threaded handler.",
	.harm =
	"While it runs nothing else on that CPU proceeds: other interrupts, the scheduler tick, the "
	"interrupted task. Milliseconds here are latency spikes anywhere on that CPU.",
	.confirm =
	"libbpf-tools hardirqs -d; the irq:irq_handler_entry/exit tracepoints; /proc/interrupts for "
	"the rate.",
	.fix =
	"Driver or firmware update, interrupt moderation (ethtool -C), and the IRQ's affinity away from "
	"latency-sensitive CPUs.",
	.seen_in = "seed 003's list of interrupt-side latency sources.",
},
{
	.id = "irq.ksoftirqd_latency",
	.title = "Woken ksoftirqd threads wait long for their CPU",
	.mechanism =
	"Softirq work beyond a round's budget (2 ms or 10 restarts), or raised while softirqs are "
	"already being deferred, is handed to the per-CPU ksoftirqd thread. It is an ordinary "
	"SCHED_OTHER thread: once woken it waits for its CPU like any other.",
	.harm =
	"On a busy CPU the deferred packets, timers and RCU callbacks wait as long as ksoftirqd does: "
	"network latency spikes (ping), late timers, memory held longer by RCU.",
	.confirm =
	"runqlat or runqslower filtered to ksoftirqd (libbpf-tools runqslower -p PID); perf sched "
	"latency; top shows ksoftirqd/N busy.",
	.fix =
	"Keep CPU-bound threads off the CPUs that take device interrupts, and reduce the spilled "
	"softirq load. Raising ksoftirqd's priority on the affected CPUs (chrt -f -p 1 PID) makes "
	"deferred work run first, at the cost of the application's CPU under a flood: that is why "
	"ksoftirqd is an ordinary thread.",
	.seen_in = "seed 003: ksoftirqd latency on a saturated host showed as ping latency.",
},
{
	.id = "irq.irqs_off",
	.title = "Interrupts kept off: timer interrupts run late",
	.mechanism =
	"While a CPU has interrupts disabled (spin_lock_irqsave, local_irq_disable) or runs a long "
	"hardirq handler, no other interrupt is taken there. kstall measures it with what every "
	"kernel has: the timer:hrtimer_expire_entry tracepoint gives each hard timer's expiry and "
	"the time it actually ran; the difference is how long the timer interrupt could not be "
	"taken. When interrupts come back on, the pending interrupt runs at once in the task that "
	"turned them on, so the task it interrupts names the likely culprit. If the CPU was idle, "
	"the delay came from below the kernel (a hypervisor not running the vCPU, a deep C-state). "
	"kstall does not use the irqsoff, osnoise or timerlat tracers even where the kernel has "
	"them: they are switched on through current_tracer, a host-wide setting another tool may "
	"own.",
	.harm =
	"Packets wait in the NIC, the scheduler tick and wakeups are late, IPIs wait: request and "
	"ping latency jump by the length of the stretch on that CPU.",
	.confirm =
	"On kernels with CONFIG_IRQSOFF_TRACER: echo irqsoff > current_tracer, then "
	"tracing_max_latency and the trace show the longest stretch and its call path (costly: "
	"do it briefly). rtla timerlat or osnoise where present. /proc/interrupts LOC counts that "
	"stall on one CPU.",
	.fix =
	"Remove what turns interrupts off for long: periodic /proc/slabinfo readers "
	"(irq.slabinfo_reader), slow drivers (irq.hardirq_long), huge printk bursts to a serial "
	"console. On VMs with steal time, dedicated vCPUs.",
	.seen_in = "seed 003: cat /proc/slabinfo on a host with many slabs kept interrupts off long "
	"enough to delay packets; ftrace irqsoff found it.",
},
{
	.id = "irq.slabinfo_reader",
	.title = "A process, or a loop of processes, reads /proc/slabinfo periodically",
	.mechanism =
	"To print /proc/slabinfo the kernel counts every slab cache's free objects, taking each "
	"cache's per-node list lock with interrupts off and walking its partial slabs (SLUB before "
	"6.10: the whole list; 6.10+: at most 10,000 slabs, then an estimate; SLAB: every list). "
	"With millions of slabs each stretch is long, and a monitoring agent that reads it every "
	"few seconds repeats it on every host. Often the reader is not one process but a script "
	"that runs `cat /proc/slabinfo`, `slabtop -o` or `vmstat -m` every few seconds: a new "
	"process each time, one open each. kstall counts successful opens of the absolute path "
	"/proc/slabinfo per process from the open/openat/openat2 syscall events it already traces "
	"for failed lookups, with the first and latest time and the longest gap; when a process "
	"exits, its counts join those of the other exited processes of its parent and name. A "
	"process that opens it twice or more is the reader; the others are added up by the "
	"parent that started them (then named as the culprit), and failing that by name. It never "
	"reads the file itself. Opens by a relative path (cd /proc; cat slabinfo) are not seen.",
	.harm =
	"Interrupts-off stretches on the reading CPU: network packets and timers wait (irq.irqs_off), "
	"request latency jumps each time the agent collects.",
	.confirm =
	"ftrace irqsoff while the agent runs, where the kernel has it; strace -e openat -p PID of "
	"the agent; `ps --ppid PID` of a parent kstall names shows what it runs; the agent's "
	"configuration (collectd slab plugin, node_exporter's slabinfo collector, custom scripts "
	"running slabtop or vmstat -m, a crontab).",
	.fix =
	"Take slab totals from /proc/meminfo (Slab, SReclaimable, SUnreclaim: counters, free to "
	"read); if per-cache figures are needed, collect them rarely and not from every host at once. "
	"On 2.6.32-era kernels the file is world-readable (0644): any user's agent can cause it.",
	.seen_in = "seed 003: a monitoring agent collecting /proc/slabinfo caused latency spikes.",
}
};

const struct kb_table kb_irq = {entries, ARRAY_SIZE(entries)};

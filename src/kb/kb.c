#include "kb.h"

#include <string.h>

const struct kb_entry kb_entries[] = {
{
	.id = "dcache.bloat",
	.title = "The dentry cache has grown to a large share of memory",
	.mechanism =
	"The kernel caches every path component it looks up as a dentry (about 192 bytes of slab "
	"each on 64-bit kernels), including lookups that failed (negative dentries). Unused dentries "
	"stay cached until memory pressure makes the slab shrinkers (kswapd, or a task in direct "
	"reclaim) walk the LRU and free them. Nothing else bounds the cache: a process that looks up "
	"millions of distinct names grows it without limit.",
	.harm =
	"Once the cache holds tens of millions of entries, shrinking it is long, lock-heavy work. "
	"Before 2.6.38 every dentry operation took the global dcache_lock, so kswapd shrinking a "
	"50 GB cache froze path lookups, process start and logins on every CPU for seconds; later "
	"kernels shrink per superblock and per node, but reclaim still burns CPU and allocations "
	"stall in direct reclaim while it runs. The memory is also unavailable to the page cache, so "
	"file I/O gets slower long before the stall.",
	.confirm =
	"cat /proc/sys/fs/dentry-state (nr_dentry, nr_unused, ..., nr_negative on 5.0+); "
	"grep -E 'Slab|SReclaimable' /proc/meminfo; multiply nr_dentry by 192 and compare with "
	"MemTotal. Sample dentry-state twice to see the growth rate. top shows kswapdN near 100% CPU "
	"during the stalls. Avoid /proc/slabinfo on a production host: reading it disables interrupts "
	"while it walks every slab. /sys/kernel/slab/dentry/ (SLUB) is safe.",
	.fix =
	"Stop the producer first: find the process looking up missing paths in a loop "
	"(kstall watch, or strace -f -e trace=%file -Z). Known case: old NSS softokn under curl "
	"probing /etc/pki/nssdb/.NNN_dOeSnotExist_.db: set NSS_SDB_USE_CACHE=yes or update nss. "
	"Raise vm.vfs_cache_pressure (200-1000) so reclaim prefers dentries and inodes, at the cost "
	"of more re-lookups. Free the cache off-peak with `echo 2 > /proc/sys/vm/drop_caches` "
	"(slow on a huge cache, and a global stall before 2.6.38). Upgrade kernels older than 3.12.",
	.seen_in = "seed 002: CentOS 6 (2.6.32), 64 GB hosts freezing 15 s; 280 M dentries, 54 GB of slab; "
		   "kswapd0/1 at 100% in __shrink_dcache_sb under dcache_lock; curl with NSS as producer.",
},
{
	.id = "dcache.negative_dentries",
	.title = "Negative dentries dominate the dentry cache",
	.mechanism =
	"A failed lookup (open, stat, access of a name that does not exist) leaves a negative dentry "
	"so the next failure is fast. They are reclaimed like other unused dentries, only under memory "
	"pressure, so a loop over unique missing names adds one per iteration. Since Linux 5.0 the "
	"fifth field of /proc/sys/fs/dentry-state counts them; before that it is a placeholder 0.",
	.harm =
	"As dcache.bloat: memory taken from the page cache and long, lock-heavy shrinking under "
	"pressure. A fast-growing negative count is also a sign of a misbehaving program doing useless "
	"lookups on a hot path.",
	.confirm =
	"Sample /proc/sys/fs/dentry-state twice (nr_negative is field 5 on 5.0+). On this kernel, "
	"tracepoints syscalls:sys_exit_openat/newstat/access with ret == -2 (ENOENT) show who "
	"fails lookups: bpftrace -e 'tracepoint:syscalls:sys_exit_openat /args->ret == -2/ "
	"{ @[comm] = count(); }'. kstall watch attributes them with path patterns.",
	.fix =
	"Fix the producer (cache the negative result in the program, stop probing for files that "
	"never exist, NSS_SDB_USE_CACHE=yes for old NSS). Deleting the directory the names were "
	"looked up in prunes its negative dentries at once. fs.dentry-negative=1 (recent kernels) "
	"drops dentries on unlink, which helps delete-heavy workloads only. vm.vfs_cache_pressure "
	"above 100 makes reclaim take them sooner.",
	.seen_in = "seed 002 (the NSS probe loop); measured here: access() of missing names raised "
		   "nr_negative from 10 k to 1.3 M in 4 s and dentry slab from 31 MB to 270 MB.",
},
{
	.id = "dcache.negative_dentry_producers",
	.title = "A process fails path lookups in a loop, filling the dentry cache",
	.mechanism =
	"Every open, stat, access, readlink or execve of a path that does not exist ends in ENOENT and "
	"leaves a negative dentry behind, so that the next failure is fast. When the names differ on "
	"every call (counters, temporary names, per-connection probes), nothing is ever reused: each "
	"call adds one dentry, kept until memory pressure shrinks the cache. kstall counts ENOENT "
	"returns of path syscalls per process in the kernel (tp_btf sys_enter/sys_exit) and samples a "
	"few paths per second per process, collapsing digits and hashes into patterns.",
	.harm =
	"The cache grows without bound (seed 002: 280 M dentries, 50 GB) and then has to be shrunk under "
	"pressure, which stalls kswapd, direct reclaimers and, on old kernels, every path lookup. The "
	"loop itself also burns CPU in the kernel's path walk.",
	.confirm =
	"Sample /proc/sys/fs/dentry-state (nr_negative, 5.0+) twice and watch it grow. "
	"`strace -f -e trace=%file -Z -p PID` shows the failing calls of a suspect; on this kernel "
	"bpftrace -e 'tracepoint:syscalls:sys_exit_openat /args->ret == -2/ { @[comm] = count(); }' "
	"counts them per process (statsnoop from libbpf-tools does not see access(2)).",
	.fix =
	"Fix the loop: cache the negative answer in the program, or stop probing for files that are "
	"never there. Old NSS (nss-softokn) under curl probes /etc/pki/nssdb/.NNNN_dOeSnotExist_.db on "
	"every connection: NSS_SDB_USE_CACHE=yes, or a newer nss. Deleting the directory prunes its "
	"negative dentries at once; vm.vfs_cache_pressure above 100 shrinks them sooner.",
	.seen_in = "seed 002 (curl + NSS on CentOS 6); reproduced here with access() of unique missing names: "
		   "nr_negative 10 k -> 1.3 M in 4 s.",
},
{
	.id = "reclaim.direct_reclaim_stall",
	.title = "A task stalls reclaiming memory itself",
	.mechanism =
	"When an allocation finds free memory below the min watermark (global direct reclaim), or its "
	"memory cgroup at its limit (memcg reclaim), the allocating task reclaims pages itself before "
	"it can continue: it scans LRU lists and calls the slab shrinkers. kstall times each episode "
	"with the vmscan tracepoints mm_vmscan_direct_reclaim_begin/end and "
	"mm_vmscan_memcg_reclaim_begin/end.",
	.harm =
	"The task is stopped for the whole episode: milliseconds normally, seconds when what must be "
	"reclaimed is slow (a huge dentry cache, dirty pages under writeback). Request latency spikes "
	"follow memory pressure, often with no CPU or I/O saturation to explain them.",
	.confirm =
	"grep -E 'allocstall|pgscan_direct|pgsteal_direct' /proc/vmstat twice; memory.stat of the cgroup "
	"(v1) or memory.events (v2); drsnoop from libbpf-tools shows per-task direct reclaim latency.",
	.fix =
	"Global: keep more memory free so kswapd reclaims in the background (vm.min_free_kbytes, "
	"vm.watermark_scale_factor), find what fills memory, and shrink it. Memcg: raise the cgroup's "
	"limit or reduce what it holds (its page cache counts). Slow shrinkers: see reclaim.shrinker_slow.",
	.seen_in = "seed 002: processes stuck in shrink_slab under dcache_lock while kswapd could not keep up.",
},
{
	.id = "reclaim.shrinker_slow",
	.title = "A slab shrinker takes long per call",
	.mechanism =
	"Reclaim asks each registered shrinker to free objects from its cache (super_cache_scan for "
	"the dentry and inode caches of each file system, others for THP splitting, zswap, and so on). "
	"kstall times every call with mm_shrink_slab_start/end, names the shrinker by its scan "
	"function (resolved with /proc/kallsyms), and counts objects scanned and freed.",
	.harm =
	"A slow shrinker holds up every reclaim pass: kswapd falls behind, and tasks in direct reclaim "
	"wait for it. On 2.6.32 the dcache shrinker ran under the global dcache_lock, stalling path "
	"lookups everywhere.",
	.confirm =
	"With tracefs mounted: the vmscan:mm_shrink_slab_start/end events; perf record -g during a stall "
	"shows the shrinker's function in the profile.",
	.fix =
	"Shrink the cache earlier and in smaller steps (vm.vfs_cache_pressure for dentries and inodes), "
	"and stop whatever fills it (dcache.negative_dentry_producers).",
	.seen_in = "seed 002: kswapd0/1 in __shrink_dcache_sb for seconds per pass.",
},
{
	.id = "reclaim.kswapd_busy",
	.title = "kswapd, the background reclaimer, is busy for most of a CPU",
	.mechanism =
	"kswapd (one per NUMA node) wakes when free memory falls below the low watermark and reclaims "
	"until the high watermark is reached. Its CPU time shows how hard reclaim is working; tracing "
	"mm_vmscan_kswapd_wake/sleep shows how long it stays awake.",
	.harm =
	"A busy kswapd means memory is short for long stretches or reclaim is slow; when it cannot keep "
	"up, allocating tasks reclaim directly and stall (reclaim.direct_reclaim_stall).",
	.confirm =
	"top shows kswapdN; /proc/vmstat pgscan_kswapd, pgsteal_kswapd and slabs_scanned rates; "
	"and the memory pressure file /proc/pressure/memory on 4.20+.",
	.fix =
	"Find what fills memory (slab: dcache.bloat; page cache; anonymous). Raise "
	"vm.watermark_scale_factor so reclaim starts earlier and runs in smaller steps. Add memory or "
	"lower the footprint.",
	.seen_in = "seed 002: kswapd0 and kswapd1 at 100% CPU during the 15 s freezes.",
},
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
	"Reuse or pool buffers instead of mapping them per request; keep allocation sizes fixed. Raise "
	"glibc's mmap threshold (mallopt M_MMAP_THRESHOLD, GLIBC_TUNABLES=glibc.malloc.mmap_threshold) "
	"so mid-size buffers come from the heap, at the cost of memory held longer. Reduce caches of "
	"small mappings. Kernels 3.8 and later remove the linear walk.",
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
	.title = "A process maps and unmaps the same size over and over",
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
	"Reuse the buffer or pool it. Or raise glibc's mmap threshold above the size "
	"(mallopt(M_MMAP_THRESHOLD, n), GLIBC_TUNABLES=glibc.malloc.mmap_threshold=n) so the buffers "
	"come from the heap; the heap then keeps freed memory until M_TRIM_THRESHOLD trims it, so RSS "
	"is higher.",
	.seen_in = "seed 001: a data structure that allocated and freed a 512 KB buffer per request; "
		   "each became a 516 KB mmap and munmap.",
},
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
	"drops. The seed-003 service lost QPS when RPS was turned on at over 90% CPU.",
	.confirm =
	"cat /sys/class/net/IF/queues/rx-*/rps_cpus (non-zero: on). Sample /proc/stat per CPU (softirq "
	"and idle), /proc/interrupts CAL and /proc/net/softnet_stat column 10 (received_rps) twice; "
	"compare throughput with RPS on and off.",
	.fix =
	"Turn RPS off while the host has no headroom (echo 0 > .../rps_cpus), or steer only to CPUs "
	"that are kept free of the application. Prefer the NIC's hardware queues (RSS, ethtool -L) with "
	"their interrupts spread over CPUs. RFS (rps_sock_flow_entries, rps_flow_cnt) steers to the "
	"CPU where the consuming thread runs and reduces cache misses, but not the IPIs.",
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
	"(smp_affinity or irqbalance). For a single-queue device, RPS to CPUs with headroom. Keep "
	"latency-sensitive threads off the hot CPU.",
	.seen_in = "seed 003's neighbours: long softirqs and ksoftirqd latency on the CPU that takes the NIC.",
},
{
	.id = "irq.ipi_storm",
	.title = "Inter-processor interrupts at a rate that costs real CPU",
	.mechanism =
	"CPUs interrupt each other to run a function (CAL: smp_call_function, used by RPS, by some "
	"drivers and by memory-ordering work), to flush TLBs after a multi-threaded process unmaps or "
	"changes the protection of memory (TLB), and to reschedule (RES). Each costs the receiver an "
	"interrupt entry and exit and whatever the function does.",
	.harm =
	"Tens of thousands per second per CPU take percent of CPU from whatever runs there and add "
	"latency jitter; TLB shootdowns also stall the sender until every target has answered.",
	.confirm =
	"Sample the CAL, TLB and RES rows of /proc/interrupts twice. Tracepoints ipi:ipi_send_cpu and "
	"csd:csd_queue_cpu (its func field: rps_trigger_softirq for RPS) name the source; "
	"tlb:tlb_flush for shootdowns.",
	.fix =
	"RPS: off, or to fewer CPUs with headroom. TLB shootdowns: reuse memory instead of unmapping "
	"it (see vma.mmap_churn), fewer threads in one address space, MADV_FREE instead of "
	"MADV_DONTNEED.",
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
	"Raise netdev_max_backlog for bursts; spread receive work (RSS, RPS to idle CPUs); find why the "
	"CPU is busy (irq.softirq_hotspot). Raise netdev_budget(_usecs) a little for squeezes.",
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
	"(net.core.netdev_budget_usecs), keep CPU-bound threads off the CPUs that take device "
	"interrupts, or raise ksoftirqd's priority there.",
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
	"Raise ksoftirqd's priority on the affected CPUs (chrt -f -p 1 PID), keep CPU-bound threads "
	"off the CPUs that take device interrupts, and reduce the spilled softirq load.",
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
	.title = "A process reads /proc/slabinfo periodically",
	.mechanism =
	"To print /proc/slabinfo the kernel counts every slab cache's free objects, taking each "
	"cache's per-node list lock with interrupts off and walking its partial slabs (SLUB before "
	"6.10: the whole list; 6.10+: at most 10,000 slabs, then an estimate; SLAB: every list). "
	"With millions of slabs each stretch is long, and a monitoring agent that reads it every "
	"few seconds repeats it on every host. kstall counts successful opens of the absolute path "
	"/proc/slabinfo per process from the open/openat/openat2 syscall events it already traces "
	"for failed lookups, and the time between them; it never reads the file itself. Opens by a "
	"relative path (cd /proc; cat slabinfo) are not seen.",
	.harm =
	"Interrupts-off stretches on the reading CPU: network packets and timers wait (irq.irqs_off), "
	"request latency jumps each time the agent collects.",
	.confirm =
	"ftrace irqsoff while the agent runs, where the kernel has it; strace -e openat -p PID of "
	"the agent; the agent's configuration (collectd slab plugin, node_exporter's slabinfo "
	"collector, custom scripts, slabtop).",
	.fix =
	"Take slab totals from /proc/meminfo (Slab, SReclaimable, SUnreclaim: counters, free to "
	"read); if per-cache figures are needed, collect them rarely and not from every host at once. "
	"On 2.6.32-era kernels the file is world-readable (0644): any user's agent can cause it.",
	.seen_in = "seed 003: a monitoring agent collecting /proc/slabinfo caused latency spikes.",
},
{
	.id = "writeback.strict_limit_bdi",
	.title = "A backing device is throttled against a small limit of its own",
	.mechanism =
	"Every backing device (bdi) gets a share of the global dirty limit, capped by max_ratio "
	"(and max_bytes, 6.2+). Normally a device's share matters only once the host's dirty pages "
	"approach the global limit. With strict_limit (FUSE sets it on every bdi it registers, since "
	"3.13; the sysfs file exists from 6.2) the device's own share applies at all times: a writer "
	"dirtying pages of that device is paused in balance_dirty_pages as soon as the device holds "
	"its share, however little the host has dirty. FUSE also sets max_ratio to 1%. kstall reads "
	"sys/class/bdi/BDI/{min_ratio,max_ratio,max_bytes,strict_limit} and maps each bdi to its "
	"mounts through mountinfo (same device number; for a disk, its partitions).",
	.harm =
	"A writer to a slow store (a network file system behind FUSE) is paused again and again, each "
	"time until the store has written the device's share back: writes that take milliseconds on "
	"a local file system take minutes.",
	.confirm =
	"cat /sys/class/bdi/MAJ:MIN/{max_ratio,max_bytes,strict_limit} for the mount's device "
	"(mountpoint -d DIR); a writer's /proc/PID/stack in balance_dirty_pages; `kstall watch` for "
	"the pauses themselves.",
	.fix =
	"Raise max_ratio (or max_bytes) for the device; clear strict_limit where sysfs allows it "
	"(6.2+); write with write()/pwrite() in large requests instead of a shared mmap; FUSE "
	"writeback caching where the file system supports it. Each costs memory held dirty for a slow "
	"device, and longer flushes.",
	.seen_in = "seed 004: mmap writes of 10 MB index files on FUSE took up to three minutes; the writer "
	"sat in balance_dirty_pages, about 85 ms per call.",
},
{
	.id = "writeback.throttle",
	.title = "Writers paused by dirty-page throttling",
	.mechanism =
	"A task that dirties page cache faster than its device writes it back is paused in "
	"balance_dirty_pages (task state D) for a computed time, again and again. kstall traces "
	"writeback:balance_dirty_pages (pause > 0) and measures each pause from the tracepoint to "
	"the writer's wakeup, per process and device, with the tracepoint's own figures (the "
	"device's dirty pages and setpoint, the host's dirty pages and limit) to say which limit "
	"paused it. It also measures waits for pages under writeback "
	"(writeback:folio_wait_writeback, e.g. a write fault on a page FUSE is still writing), "
	"a second mechanism that stalls the same writers. From samples alone (check, snapshots), "
	"tasks in D state with balance_dirty_pages or folio_wait_writeback in their wchan or stack "
	"are reported with lower confidence.",
	.harm =
	"The writer's latency is the sum of its pauses: batch jobs crawl, request handlers that "
	"write time out, and delay accounting shows it as block I/O delay although no I/O is slow.",
	.confirm =
	"bpftrace -e 'tracepoint:writeback:balance_dirty_pages { @[comm, args->bdi] = sum(args->pause); }' "
	"(planned pauses, in ms); /proc/PID/stack of the writer; the bdi's limits in sysfs.",
	.fix =
	"When the device's own limit pauses it: raise the bdi's max_ratio/max_bytes, or clear "
	"strict_limit (writeback.strict_limit_bdi). When the global limit does: reduce the dirtying "
	"rate, or size the limits to the devices (writeback.dirty_limits_large). Either way, large "
	"write() calls behave better than dirtying a shared mapping page by page.",
	.seen_in = "seed 004: a video program's mmap writes on FUSE, paused in balance_dirty_pages for "
	"minutes in total.",
},
{
	.id = "writeback.dirty_limits_large",
	.title = "Global dirty limits too large for the devices",
	.mechanism =
	"vm.dirty_ratio (default 20%) of dirtyable memory, or vm.dirty_bytes, is how much page cache "
	"may be dirty before writers are throttled; the background limit starts writeback. On a "
	"machine with much memory, the ratio makes that tens of gigabytes, which a disk or network "
	"store needs minutes to write. kstall computes the limits as the kernel does, from the "
	"sysctls and meminfo (MemFree + file LRUs), and the time to write the limit out at an "
	"assumed 200 MB/s.",
	.harm =
	"fsync, sync and unmount wait for all of it; when the limit is reached every writer is paused "
	"at once; memory pressure rises while dirty pages cannot be reclaimed.",
	.confirm = "sysctl vm.dirty_ratio vm.dirty_bytes vm.dirty_background_ratio; Dirty and Writeback in "
	"/proc/meminfo during a large write; the devices' write rate (iostat).",
	.fix =
	"Set vm.dirty_bytes and vm.dirty_background_bytes to a few seconds of the slowest device's write "
	"rate. Cost: writers are throttled sooner; more, smaller writebacks.",
	.seen_in = "seed 004's background: dirty limits sized by memory, not by device speed.",
},
{
	.id = "mmap_lock.contention",
	.title = "Threads wait for their process's mmap_lock, held by another thread",
	.mechanism =
	"Every thread of a process shares one mmap_lock (mmap_sem before 5.8), a reader-writer lock "
	"over its address space. Page faults, /proc/PID/maps readers and get_user_pages take it for "
	"reading; mmap, munmap, mprotect, brk, mremap and fork (dup_mmap) take it for writing. Since "
	"6.4 most page faults first try a per-VMA lock and need the mmap_lock only when that VMA is "
	"write-locked (as fork does to every VMA it copies) or has no anon_vma yet: kstall then sees "
	"the fallback wait. kstall traces mmap_lock:mmap_lock_start_locking, _acquire_returned and "
	"_released: each wait per process, for reading and writing, with where the waiter was (its "
	"syscall from its registers; a page fault from the x86 exceptions:page_fault_* tracepoints, "
	"with the address); each hold for writing with the holder's syscall and clone flags; and for "
	"each long wait the thread that held the lock for writing across it, its hold time and the "
	"address space's size. Kernels without the mmap_lock tracepoints (before 5.12) are skipped "
	"with the reason.",
	.harm =
	"A request thread that faults in copy_to_user under accept() waits as long as the writer "
	"holds the lock: one request in twenty takes hundreds of milliseconds, with no CPU used.",
	.confirm =
	"perf lock record + perf lock contention (shows rwsem:R in exc_page_fault, but not the "
	"owner); offcputime on the waiter (its stack, not the holder); the holder's syscall from "
	"perf trace.",
	.fix =
	"Depends on the holder: a fork -> mmap_lock.fork_stall; large munmap/mprotect -> split them; "
	"and keep latency-critical threads from faulting (touch or mlock their buffers).",
	.seen_in = "seed 000: accept() took hundreds of ms, waiting in a page fault on mmap_sem held by a "
	"plugin's system() (fork) of a 12 GB process.",
},
{
	.id = "mmap_lock.fork_stall",
	.title = "A large process forks, and its threads stall while the address space is copied",
	.mechanism =
	"fork() (clone without CLONE_VM) copies the parent's VMAs and page tables in dup_mmap with the "
	"parent's mmap_lock held for writing; with gigabytes in 4 KiB pages that takes tens to "
	"hundreds of milliseconds, and every thread of the parent that faults or maps meanwhile "
	"waits. glibc 2.35 and later implement system() and popen() with clone(CLONE_VM|CLONE_VFORK), "
	"as posix_spawn does: nothing is copied and nothing stalls. The mechanism lives on wherever a "
	"large process forks itself: older glibc, daemons that fork for snapshots (Redis BGSAVE), "
	"Python multiprocessing with the fork start method, Perl and Ruby backticks, hand-written "
	"fork+exec. kstall reports the holds by clone/fork/vfork/clone3 with their clone flags, the "
	"address space size and VMA count at the time, and the waits they caused.",
	.harm = "Each fork is a pause of all the process's faulting threads for the copy's duration.",
	.confirm = "strace -f -e clone,clone3,fork,vfork on the process; perf trace; the process's "
	"VmRSS and map count.",
	.fix =
	"posix_spawn() or vfork()+exec (or a current glibc's system()); a small spawn-helper process "
	"forked early; for forks that are the point (snapshots), huge pages and fewer VMAs shorten "
	"the copy.",
	.seen_in = "seed 000: a plugin's system() in a 12 GB trafficserver; reproduced here at 4 GB: "
	"about 70-90 ms per fork.",
}
};

const size_t kb_nentries = sizeof(kb_entries) / sizeof(kb_entries[0]);

const struct kb_entry *kb_find(const char *id)
{
	for (size_t i = 0; i < kb_nentries; i++)
		if (!strcmp(kb_entries[i].id, id))
			return &kb_entries[i];
	return NULL;
}

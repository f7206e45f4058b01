/* Knowledge base, the dentry cache: its size, negative dentries and who fills it. */
#include "kb.h"
#include "../lib/util.h"

static const struct kb_entry entries[] = {
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
	"(slow on a huge cache, a global stall before 2.6.38, and the evicted inodes take their cached "
	"file pages with them). Upgrade kernels older than 3.12.",
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
	.title = "A process, or a loop of processes, fails path lookups, filling the dentry cache",
	.mechanism =
	"Every open, stat, access, readlink or execve of a path that does not exist ends in ENOENT and "
	"leaves a negative dentry behind, so that the next failure is fast. When the names differ on "
	"every call (counters, temporary names, per-connection probes), nothing is ever reused: each "
	"call adds one dentry, kept until memory pressure shrinks the cache. kstall counts ENOENT "
	"returns of path syscalls per process in the kernel (tp_btf sys_enter/sys_exit), with the "
	"time of the first and the latest, and samples a few paths per second per process, "
	"collapsing digits and hashes into patterns. When a process exits, its counts join those of "
	"the other exited processes of its parent and name: a shell loop running stat on missing "
	"names thousands of times is thousands of processes that each fail a few, and kstall names "
	"the parent that starts them. A rate over the window is not the producer's when it failed "
	"in a burst: then the burst's rate and length are given too.",
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
	"never there; when the producers are short-lived processes, the loop is in their parent (a "
	"script, a cron job, a CGI server). Old NSS (nss-softokn) under curl probes /etc/pki/nssdb/.NNNN_dOeSnotExist_.db on "
	"every connection: NSS_SDB_USE_CACHE=yes, or a newer nss. Deleting the directory prunes its "
	"negative dentries at once; vm.vfs_cache_pressure above 100 shrinks them sooner.",
	.seen_in = "seed 002 (curl + NSS on CentOS 6); reproduced here with access() of unique missing names: "
		   "nr_negative 10 k -> 1.3 M in 4 s.",
}
};

const struct kb_table kb_dcache = {entries, ARRAY_SIZE(entries)};

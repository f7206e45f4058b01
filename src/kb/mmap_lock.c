/* Knowledge base, mmap_lock: contention and fork() holding it. */
#include "kb.h"
#include "../lib/util.h"

static const struct kb_entry entries[] = {
{
	.id = "mmap_lock.contention",
	.title = "Threads wait for their process's mmap_lock, held by another thread",
	.mechanism =
	"Every thread of a process shares one mmap_lock (mmap_sem before 5.8), a reader-writer lock "
	"over its address space. Page faults, /proc/PID/maps readers and get_user_pages take it for "
	"reading; mmap, munmap, mprotect, brk, mremap and fork (dup_mmap) take it for writing. Since "
	"6.4 most page faults first try a per-VMA lock and need the mmap_lock only when that VMA is "
	"write-locked (as fork does to every VMA it copies) or has no anon_vma yet: kstall then sees "
	"the fallback wait. kstall traces lock:contention_begin/_end (a wait that sleeps) and "
	"mmap_lock:mmap_lock_start_locking, _acquire_returned and _released (5.12 to 5.18: every "
	"acquisition): each wait of 64 us or more per process, for reading and writing, with where the "
	"waiter was (its syscall from its registers; a page fault from the x86 exceptions:page_fault_* "
	"tracepoints, with the address); each fork's hold for writing, and each hold someone waited "
	"for, with the holder's syscall and clone flags; and for each long wait the thread that held "
	"the lock for writing across it, its hold time and the address space's size. Kernels without "
	"either set of tracepoints are skipped with the reason.",
	.harm =
	"A request thread that faults in copy_to_user under accept() waits as long as the writer "
	"holds the lock: one request in twenty takes hundreds of milliseconds, with no CPU used.",
	.confirm =
	"perf lock record + perf lock contention (shows rwsem:R in exc_page_fault, but not the "
	"owner); offcputime on the waiter (its stack, not the holder); the holder's syscall from "
	"perf trace.",
	.fix =
	"Depends on the holder: a fork -> mmap_lock.fork_stall; large munmap/mprotect -> split them; "
	"and keep latency-critical threads from faulting (touch their buffers in advance, or mlock "
	"them: pinned memory that reclaim can no longer take).",
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
	"Where the child runs another program: posix_spawn() or vfork()+exec (or a current glibc's "
	"system()), or a small spawn-helper process forked early. Python multiprocessing: the "
	"forkserver or spawn start method (slower worker start). Where the fork is the point "
	"(snapshots: Redis BGSAVE and AOF rewrites): snapshot less often or off-peak (more writes "
	"lost on a crash), persist from a replica, keep instances smaller; fewer VMAs shorten the "
	"copy. Huge pages shorten it too, but after the fork each first write to a 2 MiB page copies "
	"all of it: Redis's documentation tells users to disable transparent huge pages, and Redis "
	"from 6.0.8 turns them off for itself (disable-thp).",
	.seen_in = "seed 000: a plugin's system() in a 12 GB trafficserver; reproduced here at 4 GB: "
	"about 70-90 ms per fork.",
}
};

const struct kb_table kb_mmap_lock = {entries, ARRAY_SIZE(entries)};

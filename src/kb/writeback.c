/* Knowledge base, dirty-page writeback: strict bdis, throttled writers, large limits. */
#include "kb.h"
#include "../lib/util.h"

static const struct kb_entry entries[] = {
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
	"writeback caching where the file system supports it (the kernel then keeps sizes and times "
	"itself: another client's changes can look stale). Each costs memory held dirty for a slow "
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
}
};

const struct kb_table kb_writeback = {entries, ARRAY_SIZE(entries)};

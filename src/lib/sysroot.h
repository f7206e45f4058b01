/* Root-relative access to /proc and /sys.
 *
 * Every file kstall reads goes through here, named relative to a root
 * ("proc/meminfo", never "/proc/meminfo"), so the same code serves the
 * live host (root "/"), captured trees, snapshots, and trees held in
 * memory (a .tar.gz snapshot, a recording's window: see memtree.h).
 *
 * A tree is input from elsewhere, so every path resolves inside the root:
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) where the kernel has it
 * (5.6+), else a walk of one component at a time with O_NOFOLLOW that
 * resolves each link itself, inside the root (an absolute link starts
 * again at the root; ".." stops there). The file is first opened O_PATH
 * and checked: anything but a regular file (a device, FIFO, socket,
 * directory) is refused without being opened, as is a file over
 * SYSROOT_MAX_FILE; only then is it reopened for reading, through
 * /proc/self/fd, so that what is read is what was checked.
 *
 * Two kinds of read:
 *  - sysroot_read(): ordinary kernel files.
 *  - sysroot_read_deadline(): files whose read takes the target's
 *    mmap_lock (proc/PID/{cmdline,environ,maps,smaps}, and to be safe all
 *    other proc/PID files). They are read by a worker thread; if the
 *    worker has not answered within the deadline it is abandoned (it is
 *    stuck in the kernel and cannot be cancelled) and the read fails with
 *    -ETIMEDOUT. At most SYSROOT_MAX_STUCK workers are stuck at once;
 *    while that many are, such reads fail with -EBUSY at once. A stuck
 *    worker whose read finishes later frees itself and its slot.
 *
 * A capture log, when enabled, keeps a copy of every file read
 * successfully; `kstall snapshot` writes it out. */
#ifndef KSTALL_SYSROOT_H
#define KSTALL_SYSROOT_H

#include "util.h"

#define SYSROOT_MAX_FILE (64u << 20) /* no /proc file is this large */
#define SYSROOT_MAX_STUCK 4
#define SYSROOT_DEFAULT_DEADLINE_MS 1000

struct sysroot;

struct capture_entry {
	char *path; /* relative, as read */
	char *data;
	size_t len;
	int sample; /* which sample it belongs to: 0 (earlier) or 1 (later) */
};

struct memtree;

int sysroot_open(const char *root, struct sysroot **ret);
/* A root over a tree in memory, which the sysroot takes (and frees);
 * label names it in messages (the archive's path). */
int sysroot_open_mem(struct memtree *t, const char *label, struct sysroot **ret);
void sysroot_free(struct sysroot *r);
const char *sysroot_path(const struct sysroot *r);
bool sysroot_is_live(const struct sysroot *r);

/* Read a whole file. 0 or -errno; on success *ret holds the bytes. On
 * failure sysroot_why() says why in words, never quoting the file:
 * -EINVAL not a regular file, -EFBIG over the size limit, -ELOOP too many
 * links, -ENOENT, -EACCES... */
int sysroot_read(struct sysroot *r, const char *rel, struct buf *ret);
int sysroot_read_deadline(struct sysroot *r, const char *rel, struct buf *ret);
/* Many deadline reads, one after another by one worker: each is given up
 * on after the deadline as sysroot_read_deadline's is (-ETIMEDOUT; the
 * rest go on with a new worker, or fail at once with -EBUSY while
 * SYSROOT_MAX_STUCK are stuck), but the caller and the worker meet once
 * per batch rather than twice per file (with 3,000 processes' maps, those
 * wake-ups were 30% of check's CPU). For i in 0..n-1, in order, name()
 * writes read i's path into buf and each() takes its outcome: rc 0 with
 * data (each may keep it, leaving *data empty) or -errno with why. Both
 * run in the worker thread while the caller waits (for a read given up
 * on, each() runs in the caller), so they must touch nothing but ctx, and
 * never this root. */
struct sysroot_batch {
	size_t n;
	void (*name)(void *ctx, size_t i, char *buf, size_t len);
	void (*each)(void *ctx, size_t i, int rc, const char *why, struct buf *data);
	void *ctx;
};
void sysroot_read_deadline_batch(struct sysroot *r, const struct sysroot_batch *b);
/* kstall's own files (rel under proc/self/: its status, its descriptors'
 * fdinfo), on the live root only and never captured, since they describe
 * kstall, not the host: a snapshot or recording does not keep them. 0 or
 * -errno; -EXDEV on any other root (a tree, a snapshot, a recording). */
int sysroot_read_self(struct sysroot *r, const char *rel, struct buf *ret);
bool sysroot_exists(struct sysroot *r, const char *rel);
/* The inode of rel and its file system, without opening it for reading
 * (an O_PATH descriptor: procfs runs none of the file's code). 0 or
 * -errno; -EOPNOTSUPP on a root in memory (an archive: no inodes). */
struct stat;
struct statfs;
int sysroot_stat(struct sysroot *r, const char *rel, struct stat *ret_st, struct statfs *ret_fs);
/* Directory entries of rel (without . and ..), sorted; *ret_names is a
 * NULL-terminated array the caller frees with strv_free(). */
int sysroot_list(struct sysroot *r, const char *rel, char ***ret_names);
/* Why the last failed read, list or exists of this root failed (the
 * calling thread's), e.g. "100 MiB is over the 64 MiB limit". */
const char *sysroot_why(const struct sysroot *r);

/* Open a path the user named (links followed, as any command does) for
 * reading, if it is a regular file; anything else (a directory, device,
 * FIFO, socket) is refused without being opened, and why says what it is
 * ("a directory", "a FIFO"). 0 or -errno. */
int open_regular_path(const char *path, int *ret_fd, char *why, size_t whylen);

/* Tests: resolve by the component walk even where openat2 exists. */
void sysroot_force_walk(bool on);

void sysroot_set_deadline_ms(struct sysroot *r, int ms);
int sysroot_deadline_ms(const struct sysroot *r);
unsigned sysroot_stuck_workers(const struct sysroot *r);

/* Capture log. */
void sysroot_capture(struct sysroot *r, bool on);
void sysroot_capture_sample(struct sysroot *r, int sample);
size_t sysroot_captured(const struct sysroot *r, const struct capture_entry **ret);
/* Forget what was captured (a recorder, after writing it out). */
void sysroot_capture_clear(struct sysroot *r);

#endif

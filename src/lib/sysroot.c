#include "sysroot.h"
#include "memtree.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>

/* A worker thread that performs blocking reads, a batch at a time: the
 * caller hands it the whole batch and sleeps until it is done, or until
 * the read in progress has taken longer than the deadline. */
struct worker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int dirfd;        /* the worker's own dup of the root */
	bool live;
	/* The batch (NULL when idle), and the read in progress or next. The
	 * worker holds mu except during a read, so what the caller sees when
	 * it wakes is either a read under way since started, or the end. */
	const struct sysroot_batch *batch;
	struct sysroot *root; /* its capture log */
	size_t next;
	bool reading;
	struct timespec started;
	bool done;
	bool abandoned;   /* set by the caller on timeout; worker then exits */
	bool quit;
};

struct sysroot {
	int dirfd;        /* -1 for a tree in memory */
	struct memtree *mem;
	char *path;
	bool live;
	int deadline_ms;
	struct worker *worker;
	bool capture;
	int capture_sample;
	struct capture_entry *cap;
	size_t ncap, capcap;
	char why[160];
};

/* Abandoned workers, still inside a read the kernel may finish some day.
 * Kept here (reachable) until they do. */
static pthread_mutex_t stuck_mu = PTHREAD_MUTEX_INITIALIZER;
#define STUCK_SLOTS (SYSROOT_MAX_STUCK * 4)
static struct worker *stuck[STUCK_SLOTS];
static unsigned nstuck;

/* Relative, and no ".." part: the caller's names never leave the root
 * (links inside a tree are resolved in it, below). */
static bool relpath_is_safe(const char *rel)
{
	if (!*rel || rel[0] == '/')
		return false;
	for (const char *p = rel; (p = strstr(p, "..")); p += 2)
		if ((p == rel || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return false;
	return true;
}

/* Read and written by the worker threads too: atomics. */
static int force_walk;
static int have_openat2 = -1; /* unknown until first tried */

static bool walk_forced(void) { return __atomic_load_n(&force_walk, __ATOMIC_RELAXED); }
static int openat2_known(void) { return __atomic_load_n(&have_openat2, __ATOMIC_RELAXED); }
static void openat2_set(int v) { __atomic_store_n(&have_openat2, v, __ATOMIC_RELAXED); }
void sysroot_force_walk(bool on) { __atomic_store_n(&force_walk, on, __ATOMIC_RELAXED); }

static int read_fd_all(int fd, struct buf *out)
{
	for (;;) {
		buf_reserve(out, 4096);
		ssize_t n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		if (out->len > SYSROOT_MAX_FILE)
			return -EFBIG;
	}
	return 0;
}

/* ---- resolving a path inside the root ---- */

#define WALK_MAX_LINKS 40
#define WALK_MAX_DEPTH 128

/* A walk in progress: the directory reached, those above it, and what
 * is left to resolve (todo.data + pos). */
struct walk {
	int cur;
	int stack[WALK_MAX_DEPTH]; /* directories above cur */
	size_t depth;
	unsigned links;
	struct buf todo;
	size_t pos;
};

/* To the directory above (at the root, ".." is the root). */
static void walk_up(struct walk *w)
{
	if (w->depth) {
		close(w->cur);
		w->cur = w->stack[--w->depth];
	}
}

/* The next component into comp: 1, or 0 when none is left. */
static int walk_next(struct walk *w, char comp[static NAME_MAX + 1])
{
	while (w->todo.data[w->pos] == '/')
		w->pos++;
	if (!w->todo.data[w->pos])
		return 0;
	size_t n = strcspn(w->todo.data + w->pos, "/");
	if (n > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(comp, w->todo.data + w->pos, n);
	comp[n] = '\0';
	w->pos += n;
	return 1;
}

/* A link met on the way (fd, closed here): what is left becomes its
 * target, then the rest of the path; an absolute target starts again
 * from the root. */
static int walk_follow(struct walk *w, int fd)
{
	char target[PATH_MAX];
	ssize_t tl = readlinkat(fd, "", target, sizeof(target) - 1);
	close(fd);
	if (tl < 0)
		return -errno;
	if (tl == 0 || ++w->links > WALK_MAX_LINKS)
		return tl == 0 ? -ENOENT : -ELOOP;
	target[tl] = '\0';
	struct buf next = {0};
	buf_append(&next, target, (size_t)tl);
	buf_append(&next, w->todo.data + w->pos, w->todo.len - w->pos);
	buf_free(&w->todo);
	w->todo = next;
	w->pos = 0;
	if (target[0] == '/')
		while (w->depth)
			walk_up(w);
	return 0;
}

/* Into fd (comp, not a link): a directory, unless it is the last
 * component. With parent, the directory that holds the last component
 * is kept there and its name in name. */
static int walk_down(struct walk *w, int fd, const struct stat *st, const char *comp, int *parent, char *name)
{
	if (w->depth == WALK_MAX_DEPTH) {
		close(fd);
		return -ENAMETOOLONG;
	}
	/* More to come, or a trailing slash: it must be a directory. */
	bool more = w->todo.data[w->pos + strspn(w->todo.data + w->pos, "/")] != '\0';
	if ((more || w->todo.data[w->pos] == '/') && !S_ISDIR(st->st_mode)) {
		close(fd);
		return -ENOTDIR;
	}
	if (!more && parent) {
		if (*parent >= 0)
			close(*parent);
		*parent = fcntl(w->cur, F_DUPFD_CLOEXEC, 3);
		snprintf(name, NAME_MAX + 1, "%s", comp);
	}
	w->stack[w->depth++] = w->cur;
	w->cur = fd;
	return 0;
}

/* One component: ".", "..", a link to follow, or a step down. */
static int walk_step(struct walk *w, const char *comp, int *parent, char *name)
{
	if (!strcmp(comp, "."))
		return 0;
	if (!strcmp(comp, "..")) {
		walk_up(w);
		return 0;
	}
	int fd = openat(w->cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int rc = -errno;
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (S_ISLNK(st.st_mode))
		return walk_follow(w, fd);
	return walk_down(w, fd, &st, comp, parent, name);
}

/* Resolve rel under rootfd by hand, one component at a time: what
 * openat2(RESOLVE_IN_ROOT) does, for kernels before 5.6. Returns an O_PATH
 * descriptor of the object rel names (links followed, inside the root),
 * and, with ret_parent, the directory that holds it and its name there. */
static int walk_in_root(int rootfd, const char *rel, int *ret_fd, int *ret_parent, char *ret_name)
{
	struct walk w = {.cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3)};
	int parent = -1;
	char comp[NAME_MAX + 1];
	int rc;

	if (w.cur < 0)
		return -errno;
	buf_append(&w.todo, rel, strlen(rel));
	while ((rc = walk_next(&w, comp)) > 0)
		if ((rc = walk_step(&w, comp, ret_parent ? &parent : NULL, ret_name)) < 0)
			break;
	while (w.depth)
		close(w.stack[--w.depth]);
	buf_free(&w.todo);
	if (rc < 0 || (ret_parent && parent < 0)) {
		close(w.cur);
		if (parent >= 0)
			close(parent);
		return rc < 0 ? rc : -ENOENT;
	}
	*ret_fd = w.cur;
	if (ret_parent)
		*ret_parent = parent;
	return 0;
}

/* openat2 inside the root, no magic link followed: the descriptor, or -1
 * with errno; errno ENOSYS when this kernel (or a seccomp filter) has no
 * openat2, which is remembered, or when the walk is forced. */
static int openat2_in_root(int rootfd, const char *rel, uint64_t flags)
{
	if (walk_forced() || openat2_known() == 0) {
		errno = ENOSYS;
		return -1;
	}
	struct open_how how = {.flags = flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	for (int tries = 0; tries < 8; tries++) {
		long fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
		if (fd >= 0) {
			openat2_set(1);
			return (int)fd;
		}
		if (errno == EAGAIN) /* a rename raced the walk: try again */
			continue;
		if (errno == ENOSYS || errno == E2BIG || (errno == EPERM && openat2_known() < 0)) {
			openat2_set(0); /* no openat2 here (or a filter forbids it) */
			errno = ENOSYS;
			return -1;
		}
		openat2_set(1);
		return -1;
	}
	return -1; /* EAGAIN, eight times */
}

static int resolve(int rootfd, const char *rel, int *ret_fd)
{
	int fd = openat2_in_root(rootfd, rel, O_PATH);
	if (fd >= 0) {
		*ret_fd = fd;
		return 0;
	}
	if (errno != ENOSYS)
		return -errno;
	return walk_in_root(rootfd, rel, ret_fd, NULL, NULL);
}

/* Is rel itself a symbolic link (whose target, resolved in the root, is
 * not there)? Asked only to explain a failure. */
static bool is_dangling_link(int rootfd, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	_cleanup_free_ char *dir = slash ? xstrndup(rel, (size_t)(slash - rel)) : xstrdup(".");
	struct stat st;
	int dfd;

	if (resolve(rootfd, dir, &dfd) < 0)
		return false;
	bool link = fstatat(dfd, slash ? slash + 1 : rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
	close(dfd);
	return link;
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
	     : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : S_ISLNK(m) ? "a symbolic link" : "not a file";
}

static void set_why_errno(char *why, size_t n, int rc)
{
	if (rc == -ELOOP)
		snprintf(why, n, "too many symbolic links, or a link kstall does not follow");
	else
		snprintf(why, n, "%s", strerror(-rc));
}

/* Does fd hold a regular file (of at most SYSROOT_MAX_FILE, with limit)?
 * 0, or -errno with why; *ret_st is filled whenever fstat worked. */
static int check_regular(int fd, bool limit, struct stat *ret_st, char *why, size_t whylen)
{
	if (fstat(fd, ret_st) < 0) {
		int rc = -errno;
		set_why_errno(why, whylen, rc);
		return rc;
	}
	if (!S_ISREG(ret_st->st_mode)) {
		snprintf(why, whylen, "not a regular file (%s)", file_kind(ret_st->st_mode));
		return S_ISDIR(ret_st->st_mode) ? -EISDIR : -EINVAL;
	}
	if (limit && (uint64_t)ret_st->st_size > SYSROOT_MAX_FILE) {
		char a[32], b[32];
		snprintf(why, whylen, "%s is over the %s limit", fmt_bytes((double)ret_st->st_size, a, sizeof(a)),
			 fmt_bytes(SYSROOT_MAX_FILE, b, sizeof(b)));
		return -EFBIG;
	}
	return 0;
}

/* Open for reading the file that pfd (O_PATH) holds, through
 * /proc/self/fd: what was checked, not whatever its name holds by now.
 * -1 with errno ENOENT where there is no /proc. */
static int reopen_fd(int pfd, int flags)
{
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	return open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY | flags);
}

/* fd, a file opened again by name O_NONBLOCK, if it is still the file
 * that was checked (O_NONBLOCK then cleared unless flags ask for it);
 * else closed, and -1 with errno EAGAIN. A device swapped in between is
 * closed unread; it was opened, though, which reopen_fd avoids. */
static int keep_if_same(int fd, const struct stat *checked, int flags)
{
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_dev != checked->st_dev || st.st_ino != checked->st_ino) {
		close(fd);
		errno = EAGAIN;
		return -1;
	}
	if (!(flags & O_NONBLOCK))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* No /proc to reopen through: find the file's directory and name again
 * (the walk gives them) and open the name without following a link. */
static int reopen_without_proc(int rootfd, const char *rel, const struct stat *checked, int flags)
{
	int pfd, dirfd;
	char name[NAME_MAX + 1];
	int rc = walk_in_root(rootfd, rel, &pfd, &dirfd, name);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	close(pfd);
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	int e = errno;
	close(dirfd);
	errno = e;
	return keep_if_same(fd, checked, flags);
}

/* The live host's /proc and /sys: kernel pseudo-files under names kstall
 * builds itself, nothing an attacker can place (no device, FIFO or link
 * of theirs lives there). One open, inside the root and with no magic
 * link followed, then the same checks: the cost of a read stays that of
 * a plain open. -2: no openat2, resolve by the walk as for a tree. */
static int open_live(int rootfd, const char *rel, int flags, int *ret_fd, char *why, size_t whylen)
{
	struct stat st;
	int fd = openat2_in_root(rootfd, rel, O_RDONLY | O_NOCTTY | (unsigned)flags);
	if (fd < 0 && errno == ENOSYS)
		return -2;
	if (fd < 0) {
		int rc = -errno;
		set_why_errno(why, whylen, rc);
		return rc;
	}
	int rc = check_regular(fd, true, &st, why, whylen);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	*ret_fd = fd;
	return 0;
}

/* Open rel for reading, if it is a regular file of at most the limit.
 * flags: O_NONBLOCK or 0. */
static int open_regular(int rootfd, bool live, const char *rel, int flags, int *ret_fd, char *why, size_t whylen)
{
	int pfd, rc;
	struct stat st;

	if (!relpath_is_safe(rel)) {
		snprintf(why, whylen, "not a path inside the root");
		return -EINVAL;
	}
	if (live && (rc = open_live(rootfd, rel, flags, ret_fd, why, whylen)) != -2)
		return rc;
	rc = resolve(rootfd, rel, &pfd);
	if (rc < 0) {
		set_why_errno(why, whylen, rc);
		if (rc == -ENOENT && is_dangling_link(rootfd, rel))
			snprintf(why, whylen, "a symbolic link to a path that is not in the root");
		return rc;
	}
	rc = check_regular(pfd, true, &st, why, whylen);
	if (rc < 0) {
		close(pfd);
		return rc;
	}
	int fd = reopen_fd(pfd, flags);
	if (fd < 0 && errno == ENOENT)
		fd = reopen_without_proc(rootfd, rel, &st, flags);
	rc = fd < 0 ? -errno : 0;
	close(pfd);
	if (rc < 0) {
		set_why_errno(why, whylen, rc);
		return rc;
	}
	*ret_fd = fd;
	return 0;
}

static int read_regular(int rootfd, bool live, const char *rel, int flags, struct buf *ret, char *why,
			size_t whylen)
{
	struct buf b = {0};
	int fd = -1, rc = open_regular(rootfd, live, rel, flags, &fd, why, whylen);

	if (rc < 0)
		return rc;
	rc = read_fd_all(fd, &b);
	close(fd);
	if (rc < 0) {
		if (rc == -EFBIG) {
			char a[32];
			snprintf(why, whylen, "more than the %s limit", fmt_bytes(SYSROOT_MAX_FILE, a, sizeof(a)));
		} else {
			set_why_errno(why, whylen, rc);
		}
		buf_free(&b);
		return rc;
	}
	buf_reserve(&b, 0);
	*ret = b;
	return 0;
}

int open_regular_path(const char *path, int *ret_fd, char *why, size_t whylen)
{
	struct stat st;
	int pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd < 0) {
		int e = errno;
		snprintf(why, whylen, "%s", strerror(e));
		return -e;
	}
	int rc = check_regular(pfd, false, &st, why, whylen);
	if (rc == -EINVAL || rc == -EISDIR)
		snprintf(why, whylen, "%s", file_kind(st.st_mode)); /* the caller says what it wanted */
	if (rc < 0) {
		close(pfd);
		return rc;
	}
	int fd = reopen_fd(pfd, 0);
	if (fd < 0 && errno == ENOENT) /* no /proc: by name, and the same file or nothing */
		fd = keep_if_same(open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), &st, 0);
	int e = errno;
	close(pfd);
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(e));
		return -e;
	}
	*ret_fd = fd;
	return 0;
}

/* ---- the root ---- */

int sysroot_open(const char *root, struct sysroot **ret)
{
	char real[PATH_MAX];
	int fd;

	if (!realpath(root, real))
		return -errno;
	fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Live is the host's own root, by what was opened, not by its name:
	 * a link swapped in after realpath() cannot make a tree look live. */
	struct stat st, top;
	bool live = fstat(fd, &st) == 0 && stat("/", &top) == 0 && st.st_dev == top.st_dev && st.st_ino == top.st_ino;
	struct sysroot *r = xcalloc(1, sizeof(*r));
	r->dirfd = fd;
	r->path = xstrdup(real);
	r->live = live && strcmp(real, "/") == 0;
	r->deadline_ms = SYSROOT_DEFAULT_DEADLINE_MS;
	*ret = r;
	return 0;
}

int sysroot_open_mem(struct memtree *t, const char *label, struct sysroot **ret)
{
	struct sysroot *r = xcalloc(1, sizeof(*r));
	memtree_finish(t);
	r->dirfd = -1;
	r->mem = xmalloc(sizeof(*r->mem));
	*r->mem = *t;
	*t = (struct memtree){0};
	r->path = xstrdup(label);
	r->deadline_ms = SYSROOT_DEFAULT_DEADLINE_MS;
	*ret = r;
	return 0;
}

static void worker_stop(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	w->quit = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	close(w->dirfd);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

void sysroot_free(struct sysroot *r)
{
	if (!r)
		return;
	if (r->worker)
		worker_stop(r->worker);
	for (size_t i = 0; i < r->ncap; i++) {
		free(r->cap[i].path);
		free(r->cap[i].data);
	}
	free(r->cap);
	if (r->dirfd >= 0)
		close(r->dirfd);
	if (r->mem) {
		memtree_free(r->mem);
		free(r->mem);
	}
	free(r->path);
	free(r);
}

const char *sysroot_path(const struct sysroot *r) { return r->path; }
bool sysroot_is_live(const struct sysroot *r) { return r->live; }
const char *sysroot_why(const struct sysroot *r) { return r->why; }
void sysroot_set_deadline_ms(struct sysroot *r, int ms) { r->deadline_ms = ms; }
int sysroot_deadline_ms(const struct sysroot *r) { return r->deadline_ms; }
void sysroot_capture(struct sysroot *r, bool on) { r->capture = on; }
void sysroot_capture_sample(struct sysroot *r, int sample) { r->capture_sample = sample; }

unsigned sysroot_stuck_workers(const struct sysroot *r UNUSED)
{
	pthread_mutex_lock(&stuck_mu);
	unsigned n = nstuck;
	pthread_mutex_unlock(&stuck_mu);
	return n;
}

size_t sysroot_captured(const struct sysroot *r, const struct capture_entry **ret)
{
	*ret = r->cap;
	return r->ncap;
}

void sysroot_capture_clear(struct sysroot *r)
{
	for (size_t i = 0; i < r->ncap; i++) {
		free(r->cap[i].path);
		free(r->cap[i].data);
	}
	r->ncap = 0;
}

static void capture_add(struct sysroot *r, const char *rel, const struct buf *b)
{
	if (!r->capture)
		return;
	ARRAY_GROW(r->cap, r->ncap, r->capcap);
	struct capture_entry *e = &r->cap[r->ncap++];
	e->path = xstrdup(rel);
	e->data = xstrndup(b->data ? b->data : "", b->len);
	e->len = b->len;
	e->sample = r->capture_sample;
}

static int mem_read(struct sysroot *r, const char *rel, struct buf *ret)
{
	if (!relpath_is_safe(rel)) {
		snprintf(r->why, sizeof(r->why), "not a path inside the root");
		return -EINVAL;
	}
	_cleanup_free_ char *clean = memtree_clean_path(rel);
	const struct memfile *f = clean ? memtree_file(r->mem, clean) : NULL;
	if (!f) {
		int rc = clean && memtree_is_dir(r->mem, clean) ? -EISDIR : -ENOENT;
		snprintf(r->why, sizeof(r->why), "%s", rc == -EISDIR ? "not a regular file (a directory)" : strerror(ENOENT));
		return rc;
	}
	struct buf b = {0};
	buf_append(&b, f->data, f->len);
	*ret = b;
	return 0;
}

int sysroot_read(struct sysroot *r, const char *rel, struct buf *ret)
{
	struct buf b = {0};
	int rc = r->mem ? mem_read(r, rel, &b) : read_regular(r->dirfd, r->live, rel, O_NONBLOCK, &b, r->why,
												  sizeof(r->why));
	if (rc < 0)
		return rc;
	capture_add(r, rel, &b);
	*ret = b;
	return 0;
}

int sysroot_read_self(struct sysroot *r, const char *rel, struct buf *ret)
{
	if (!r->live || r->mem) {
		snprintf(r->why, sizeof(r->why), "not the live host: kstall's own files are not in this root");
		return -EXDEV;
	}
	if (!str_starts_with(rel, "proc/self/")) {
		snprintf(r->why, sizeof(r->why), "not one of kstall's own files");
		return -EINVAL;
	}
	return read_regular(r->dirfd, true, rel, O_NONBLOCK, ret, r->why, sizeof(r->why));
}

bool sysroot_exists(struct sysroot *r, const char *rel)
{
	if (!relpath_is_safe(rel))
		return false;
	if (r->mem) {
		_cleanup_free_ char *clean = memtree_clean_path(rel);
		return clean && (memtree_file(r->mem, clean) || memtree_is_dir(r->mem, clean));
	}
	int fd;
	int rc = resolve(r->dirfd, rel, &fd);
	if (rc < 0) {
		set_why_errno(r->why, sizeof(r->why), rc);
		return false;
	}
	close(fd);
	return true;
}

int sysroot_stat(struct sysroot *r, const char *rel, struct stat *ret_st, struct statfs *ret_fs)
{
	if (!relpath_is_safe(rel))
		return -EINVAL;
	if (r->mem)
		return -EOPNOTSUPP;
	int fd;
	int rc = resolve(r->dirfd, rel, &fd);
	if (rc == 0 && (fstat(fd, ret_st) < 0 || fstatfs(fd, ret_fs) < 0))
		rc = -errno;
	if (rc < 0)
		set_why_errno(r->why, sizeof(r->why), rc);
	else
		close(fd);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int sysroot_list(struct sysroot *r, const char *rel, char ***ret_names)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int pfd, rc;

	if (!relpath_is_safe(rel)) {
		snprintf(r->why, sizeof(r->why), "not a path inside the root");
		return -EINVAL;
	}
	if (r->mem) {
		_cleanup_free_ char *clean = !strcmp(rel, ".") ? xstrdup("") : memtree_clean_path(rel);
		return clean ? memtree_list(r->mem, clean, ret_names) : -ENOENT;
	}
	rc = resolve(r->dirfd, rel, &pfd);
	if (rc < 0) {
		set_why_errno(r->why, sizeof(r->why), rc);
		return rc;
	}
	int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = fd < 0 ? -errno : 0;
	close(pfd);
	if (rc < 0) {
		set_why_errno(r->why, sizeof(r->why), rc);
		return rc;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = -errno;
		set_why_errno(r->why, sizeof(r->why), e);
		close(fd);
		return e;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ARRAY_GROW(v, n + 1, cap);
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	ARRAY_GROW(v, n + 1, cap);
	v[n] = NULL;
	qsort(v, n, sizeof(*v), cmp_str);
	*ret_names = v;
	return 0;
}

/* ---- deadline reads ---- */

/* A worker whose read outlived the deadline, once the read returns:
 * nobody waits for it any more; give its slot back and free it (it is
 * detached). Called with w->mu held. */
static void *worker_retire(struct worker *w)
{
	pthread_mutex_unlock(&w->mu);
	pthread_mutex_lock(&stuck_mu);
	for (unsigned i = 0; i < nstuck; i++)
		if (stuck[i] == w) {
			stuck[i] = stuck[--nstuck];
			break;
		}
	pthread_mutex_unlock(&stuck_mu);
	close(w->dirfd);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
	return NULL;
}

/* The batch from w->next on, each read with mu released, each outcome
 * handed on with it held. false once abandoned (w is then gone). */
static bool worker_run_batch(struct worker *w)
{
	const struct sysroot_batch *bt = w->batch;

	for (; w->next < bt->n; w->next++) {
		char rel[PATH_MAX], why[160] = "";
		struct buf b = {0};
		int rc = -EINVAL;
		bt->name(bt->ctx, w->next, rel, sizeof(rel));
		if (relpath_is_safe(rel)) {
			w->reading = true;
			clock_gettime(CLOCK_MONOTONIC, &w->started);
			pthread_mutex_unlock(&w->mu);
			/* Deliberately blocking: no O_NONBLOCK, this is the
			 * read the deadline protects. */
			rc = read_regular(w->dirfd, w->live, rel, 0, &b, why, sizeof(why));
			pthread_mutex_lock(&w->mu);
			if (w->abandoned) {
				buf_free(&b);
				worker_retire(w);
				return false;
			}
			w->reading = false;
		} else {
			snprintf(why, sizeof(why), "not a path inside the root");
		}
		if (rc == 0) {
			buf_reserve(&b, 0);
			capture_add(w->root, rel, &b);
		}
		bt->each(bt->ctx, w->next, rc, why, rc == 0 ? &b : NULL);
		buf_free(&b);
	}
	return true;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->batch && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->quit)
			break;
		if (!worker_run_batch(w))
			return NULL;
		w->batch = NULL;
		w->done = true;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static struct worker *worker_new(int dirfd, bool live)
{
	struct worker *w = xcalloc(1, sizeof(*w));
	pthread_condattr_t ca;

	w->live = live;
	w->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	if (w->dirfd < 0) {
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* Signals go to the main thread, whose handlers clean up. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int prc = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (prc != 0) {
		close(w->dirfd);
		free(w);
		return NULL;
	}
	return w;
}

static void add_ms(struct timespec *t, int ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Hand w the batch from read first on and wait: true when it is done,
 * false when the read in progress outlived the deadline (its index in
 * *ret_stuck; w is then abandoned and no longer r's). */
static bool worker_wait_batch(struct sysroot *r, struct worker *w, const struct sysroot_batch *bt, size_t first,
			      size_t *ret_stuck)
{
	pthread_mutex_lock(&w->mu);
	w->batch = bt;
	w->root = r;
	w->next = first;
	w->reading = false;
	w->done = false;
	pthread_cond_broadcast(&w->cv);
	while (!w->done) {
		struct timespec dl, now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		dl = w->reading ? w->started : now;
		add_ms(&dl, r->deadline_ms);
		if (w->reading && !before(&now, &dl))
			break;
		pthread_cond_timedwait(&w->cv, &w->mu, &dl);
	}
	if (w->done) {
		w->done = false;
		pthread_mutex_unlock(&w->mu);
		return true;
	}
	/* Register before the worker can see the flag, so its clean-up
	 * always finds itself in the list. Two roots may each have started
	 * a worker below the bound: the list has room for them all. */
	pthread_mutex_lock(&stuck_mu);
	if (nstuck < STUCK_SLOTS)
		stuck[nstuck++] = w;
	pthread_mutex_unlock(&stuck_mu);
	*ret_stuck = w->next;
	w->abandoned = true;
	pthread_detach(w->thread);
	pthread_mutex_unlock(&w->mu);
	r->worker = NULL;
	return false;
}

/* A worker for r, or NULL with why the reads cannot be made (-EBUSY,
 * -EAGAIN in *ret_rc). */
static struct worker *worker_get(struct sysroot *r, int *ret_rc)
{
	if (r->worker)
		return r->worker;
	pthread_mutex_lock(&stuck_mu);
	bool full = nstuck >= SYSROOT_MAX_STUCK;
	pthread_mutex_unlock(&stuck_mu);
	if (full) {
		snprintf(r->why, sizeof(r->why), "skipped: %d earlier reads are still stuck in the kernel",
			 SYSROOT_MAX_STUCK);
		*ret_rc = -EBUSY;
		return NULL;
	}
	r->worker = worker_new(r->dirfd, r->live);
	if (!r->worker) {
		snprintf(r->why, sizeof(r->why), "no reader thread could be started");
		*ret_rc = -EAGAIN;
	}
	return r->worker;
}

void sysroot_read_deadline_batch(struct sysroot *r, const struct sysroot_batch *bt)
{
	char rel[PATH_MAX];
	size_t i = 0, stuck_at;

	if (r->mem) { /* nothing in memory can block */
		for (; i < bt->n; i++) {
			struct buf b = {0};
			bt->name(bt->ctx, i, rel, sizeof(rel));
			int rc = sysroot_read(r, rel, &b);
			bt->each(bt->ctx, i, rc, r->why, rc == 0 ? &b : NULL);
			buf_free(&b);
		}
		return;
	}
	while (i < bt->n) {
		int rc = 0;
		struct worker *w = worker_get(r, &rc);
		if (!w) {
			for (; i < bt->n; i++)
				bt->each(bt->ctx, i, rc, r->why, NULL);
			return;
		}
		if (worker_wait_batch(r, w, bt, i, &stuck_at))
			return;
		snprintf(r->why, sizeof(r->why), "read did not finish within %d ms", r->deadline_ms);
		bt->each(bt->ctx, stuck_at, -ETIMEDOUT, r->why, NULL);
		i = stuck_at + 1;
	}
}

/* One read as a batch of one. */
struct one_read {
	struct sysroot *r;
	const char *rel;
	int rc;
	struct buf out;
};

static void one_name(void *ctx, size_t i UNUSED, char *buf, size_t len)
{
	snprintf(buf, len, "%s", ((struct one_read *)ctx)->rel);
}

static void one_done(void *ctx, size_t i UNUSED, int rc, const char *why, struct buf *data)
{
	struct one_read *o = ctx;
	o->rc = rc;
	if (why != o->r->why)
		snprintf(o->r->why, sizeof(o->r->why), "%s", why);
	if (data) {
		o->out = *data;
		*data = (struct buf){0};
	}
}

int sysroot_read_deadline(struct sysroot *r, const char *rel, struct buf *ret)
{
	if (r->mem)
		return sysroot_read(r, rel, ret);
	if (!relpath_is_safe(rel)) {
		snprintf(r->why, sizeof(r->why), "not a path inside the root");
		return -EINVAL;
	}
	struct one_read o = {.r = r, .rel = rel};
	sysroot_read_deadline_batch(r, &(struct sysroot_batch){.n = 1, .name = one_name, .each = one_done, .ctx = &o});
	if (o.rc < 0) {
		buf_free(&o.out);
		return o.rc;
	}
	*ret = o.out;
	return 0;
}

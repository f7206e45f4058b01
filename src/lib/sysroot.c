#include "sysroot.h"
#include "fsutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

/* A worker thread that performs one blocking read at a time. */
struct worker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int dirfd;        /* the worker's own dup of the root */
	char *rel;        /* request; NULL when idle */
	bool done;
	bool abandoned;   /* set by the caller on timeout; worker then exits */
	bool quit;
	int rc;
	struct buf out;
};

struct sysroot {
	int dirfd;
	char *path;
	bool live;
	int deadline_ms;
	struct worker *worker;
	bool capture;
	int capture_sample;
	struct capture_entry *cap;
	size_t ncap, capcap;
};

/* Abandoned workers, still inside a read the kernel may finish some day.
 * Kept here (reachable) until they do. */
static pthread_mutex_t stuck_mu = PTHREAD_MUTEX_INITIALIZER;
static struct worker *stuck[SYSROOT_MAX_STUCK];
static unsigned nstuck;

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

int sysroot_open(const char *root, struct sysroot **ret)
{
	char real[PATH_MAX];
	int fd;

	if (!realpath(root, real))
		return -errno;
	fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct sysroot *r = xcalloc(1, sizeof(*r));
	r->dirfd = fd;
	r->path = xstrdup(real);
	r->live = strcmp(real, "/") == 0;
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
	buf_free(&w->out);
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
	close(r->dirfd);
	free(r->path);
	free(r);
}

const char *sysroot_path(const struct sysroot *r) { return r->path; }
bool sysroot_is_live(const struct sysroot *r) { return r->live; }
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

int sysroot_read(struct sysroot *r, const char *rel, struct buf *ret)
{
	struct stat st;
	struct buf b = {0};
	int rc;

	if (!relpath_is_safe(rel))
		return -EINVAL;
	_cleanup_close_ int fd = openat(r->dirfd, rel, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	rc = read_fd_all(fd, &b);
	if (rc < 0) {
		buf_free(&b);
		return rc;
	}
	buf_reserve(&b, 0);
	capture_add(r, rel, &b);
	*ret = b;
	return 0;
}

bool sysroot_exists(struct sysroot *r, const char *rel)
{
	return relpath_is_safe(rel) && faccessat(r->dirfd, rel, F_OK, 0) == 0;
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

	if (!relpath_is_safe(rel))
		return -EINVAL;
	int fd = openat(r->dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = -errno;
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

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* ---- deadline reads ---- */

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->rel && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->quit)
			break;
		char *rel = w->rel;
		pthread_mutex_unlock(&w->mu);

		/* Deliberately blocking: no O_NONBLOCK, this is the read the
		 * deadline protects. */
		struct buf b = {0};
		int rc;
		int fd = openat(w->dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			rc = -errno;
		} else {
			rc = read_fd_all(fd, &b);
			close(fd);
		}

		pthread_mutex_lock(&w->mu);
		if (w->abandoned) {
			/* Nobody waits for this any more: give the slot back
			 * and free ourselves (we are detached). */
			pthread_mutex_unlock(&w->mu);
			buf_free(&b);
			free(rel);
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
		w->out = b;
		w->rc = rc;
		w->done = true;
		pthread_cond_broadcast(&w->cv);
		while (w->done && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->quit)
			break;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static struct worker *worker_new(int dirfd)
{
	struct worker *w = xcalloc(1, sizeof(*w));
	pthread_condattr_t ca;

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
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		close(w->dirfd);
		free(w);
		return NULL;
	}
	return w;
}

int sysroot_read_deadline(struct sysroot *r, const char *rel, struct buf *ret)
{
	struct timespec dl;
	int rc = 0;

	if (!relpath_is_safe(rel))
		return -EINVAL;
	if (!r->worker) {
		pthread_mutex_lock(&stuck_mu);
		bool full = nstuck >= SYSROOT_MAX_STUCK;
		pthread_mutex_unlock(&stuck_mu);
		if (full)
			return -EBUSY;
		r->worker = worker_new(r->dirfd);
		if (!r->worker)
			return -EAGAIN;
	}
	struct worker *w = r->worker;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += r->deadline_ms / 1000;
	dl.tv_nsec += (long)(r->deadline_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}

	pthread_mutex_lock(&w->mu);
	w->rel = xstrdup(rel);
	w->done = false;
	pthread_cond_broadcast(&w->cv);
	while (!w->done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&w->cv, &w->mu, &dl);
	if (!w->done) {
		/* Register before the worker can see the flag, so its
		 * clean-up always finds itself in the list. */
		pthread_mutex_lock(&stuck_mu);
		stuck[nstuck++] = w;
		pthread_mutex_unlock(&stuck_mu);
		w->abandoned = true;
		pthread_detach(w->thread);
		pthread_mutex_unlock(&w->mu);
		r->worker = NULL;
		return -ETIMEDOUT;
	}
	rc = w->rc;
	struct buf b = w->out;
	w->out = (struct buf){0};
	free(w->rel);
	w->rel = NULL;
	w->done = false;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);

	if (rc < 0) {
		buf_free(&b);
		return rc;
	}
	buf_reserve(&b, 0);
	capture_add(r, rel, &b);
	*ret = b;
	return 0;
}

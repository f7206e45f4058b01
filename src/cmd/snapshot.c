/* kstall snapshot: check, and keep a copy of every file it read, so that
 * `kstall check --root COPY` elsewhere gives the same findings.
 *
 * Layout: the later sample's files at their own paths (proc/..., sys/...);
 * the earlier sample's rate files under kstall/sample0/; kstall/meta holds
 * the window (interval, wall-clock times, USER_HZ) and is written last, so
 * that a snapshot without it is known to be incomplete.
 *
 * The output is made by kstall itself, under a private temporary name
 * beside it (a directory of mode 0700, or a file created O_EXCL), written
 * only through descriptors with no link followed, and renamed to its name
 * when complete: what is under the name is always a whole snapshot, a
 * link planted in it during the run is never written through, and a run
 * stopped by a signal leaves nothing behind (src/lib/cleanup.h). */
#include "cmd.h"
#include "../lib/cleanup.h"
#include "../lib/memtree.h"
#include "../lib/tar.h"

#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/random.h>
#include <sys/stat.h>

/* Where the snapshot goes: a directory holding it, the final name, and
 * the temporary one while it is written. */
struct target {
	const char *output;
	bool tgz;
	int parentfd;
	char *base;
	char tmp[300];
	int slot;
	int tmpfd;   /* tgz: the file; dir: the directory */
	struct stat made; /* what kstall made under tmp (removed, renamed only while tmp holds it) */
};

static bool dir_is_empty_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return false;
	}
	struct dirent *de;
	bool empty = true;
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

/* May the final name take a snapshot? Nothing there, or an empty
 * directory (for a directory snapshot), or a regular file (for a tarball,
 * which is replaced). Never a link. Prints why not. */
static int check_final(const struct target *t)
{
	struct stat st;
	if (fstatat(t->parentfd, t->base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		int e = errno;
		if (e == ENOENT)
			return 0;
		fprintf(stderr, "kstall: cannot create %s: %s\n", t->output, strerror(e));
		return -e;
	}
	const char *why = S_ISLNK(st.st_mode)            ? "is a symbolic link (kstall does not write through links)"
			: t->tgz && !S_ISREG(st.st_mode)  ? "exists and is not a regular file"
			: !t->tgz && !S_ISDIR(st.st_mode) ? "exists and is not a directory"
			: !t->tgz && !dir_is_empty_at(t->parentfd, t->base) ? "exists and is not an empty directory"
									     : NULL;
	if (!why)
		return 0;
	fprintf(stderr, "kstall: %s %s\n", t->output, why);
	return -EEXIST;
}

/* The private temporary beside the output: a fresh name, made with
 * O_EXCL (a file) or mkdirat (a directory), and kept only if what is
 * opened is what kstall made (an attacker who can write the directory may
 * swap the name between mkdirat and the open): ours, and private. */
static int make_temporary(struct target *t)
{
	for (int tries = 0; tries < 100; tries++) {
		uint32_t rnd = 0;
		if (getrandom(&rnd, sizeof(rnd), 0) < 0)
			rnd = (uint32_t)getpid() * 2654435761u + (uint32_t)tries * 40503u;
		snprintf(t->tmp, sizeof(t->tmp), ".%.200s.kstall-%08x", t->base, rnd);
		if (t->tgz) {
			t->tmpfd = openat(t->parentfd, t->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		} else if (mkdirat(t->parentfd, t->tmp, 0700) == 0) {
			t->tmpfd = openat(t->parentfd, t->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (t->tmpfd < 0) {
				int e = errno;
				t->tmp[0] = '\0'; /* made, but not found again: not ours to remove */
				return -e;
			}
		} else {
			t->tmpfd = -1;
		}
		if (t->tmpfd >= 0)
			break;
		if (errno != EEXIST) {
			int e = errno;
			t->tmp[0] = '\0';
			return -e;
		}
	}
	if (t->tmpfd < 0) {
		t->tmp[0] = '\0';
		return -EEXIST;
	}
	if (fstat(t->tmpfd, &t->made) < 0 || t->made.st_uid != geteuid() || (t->made.st_mode & 0077) ||
	    (t->tgz ? !S_ISREG(t->made.st_mode) : !S_ISDIR(t->made.st_mode))) {
		close(t->tmpfd);
		t->tmpfd = -1;
		t->tmp[0] = '\0';
		return -EPERM; /* someone else's, put in place of ours */
	}
	return 0;
}

/* Does the name still hold what kstall made? */
static bool holds_ours(const struct target *t, const char *name)
{
	struct stat st;
	return fstatat(t->parentfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == t->made.st_dev &&
	       st.st_ino == t->made.st_ino;
}

/* Open the directory that will hold the output, check the name, and make
 * the temporary beside it. */
static int target_open(struct target *t, const char *output, bool tgz)
{
	*t = (struct target){.output = output, .tgz = tgz, .parentfd = -1, .slot = -1, .tmpfd = -1};
	_cleanup_free_ char *d = xstrdup(output), *b = xstrdup(output);
	const char *dir = dirname(d), *base = basename(b);
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || !strcmp(base, "/")) {
		usage_error("-o wants a file or directory name, not '%s'", output);
		return -EINVAL;
	}
	t->base = xstrdup(base);
	t->parentfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->parentfd < 0) {
		int e = errno;
		fprintf(stderr, "kstall: cannot create %s: %s\n", output, strerror(e));
		return -e;
	}
	int rc = check_final(t);
	if (rc < 0)
		return rc;
	/* Signals wait until the temporary is registered for removal. */
	sigset_t old;
	cleanup_block(&old);
	rc = make_temporary(t);
	if (rc == 0)
		t->slot = cleanup_register(t->parentfd, t->tmp, t->made.st_dev, t->made.st_ino);
	cleanup_unblock(&old);
	if (rc < 0)
		fprintf(stderr, "kstall: cannot create %s: %s\n", output, strerror(-rc));
	return rc;
}

/* Remove the temporary (if it is still there) and let go. */
static void target_close(struct target *t)
{
	if (t->tmpfd >= 0)
		close(t->tmpfd);
	if (t->tmp[0])
		cleanup_remove_if(t->parentfd, t->tmp, t->made.st_dev, t->made.st_ino);
	cleanup_forget(t->slot);
	if (t->parentfd >= 0)
		close(t->parentfd);
	free(t->base);
	*t = (struct target){.parentfd = -1, .slot = -1, .tmpfd = -1};
}

static int target_commit(struct target *t)
{
	int rc = check_final(t);
	if (rc < 0)
		return rc;
	if (!holds_ours(t, t->tmp)) {
		fprintf(stderr, "kstall: the snapshot's temporary beside %s was moved or replaced while it was written: "
				"not renamed\n", t->output);
		return -ESTALE;
	}
	if (renameat(t->parentfd, t->tmp, t->parentfd, t->base) < 0) {
		rc = -errno;
		if (rc == -ENOTEMPTY || rc == -EEXIST)
			fprintf(stderr, "kstall: %s was filled by someone else (another snapshot?) while this one was "
					"taken: left as it is\n", t->output);
		else
			fprintf(stderr, "kstall: cannot rename the snapshot to %s: %s\n", t->output, strerror(-rc));
		return rc;
	}
	t->tmp[0] = '\0';
	cleanup_forget(t->slot);
	t->slot = -1;
	/* A swap between the check and the rename would put someone else's
	 * file under the name: said, not passed off as the snapshot. */
	if (!holds_ours(t, t->base)) {
		fprintf(stderr, "kstall: what is now at %s is not the snapshot kstall wrote (it was replaced while "
				"being renamed)\n", t->output);
		return -ESTALE;
	}
	if (fsync(t->parentfd) < 0 && errno != EINVAL && errno != EROFS)
		return -errno;
	return 0;
}

/* Write one file of the tree under rootfd, making its directories; no
 * link is followed and nothing that exists is opened. dir caches the
 * directory of the previous file (files come sorted). */
struct dircache {
	char *path;
	int fd;
};

static int open_parent(int rootfd, const char *path, struct dircache *c, const char **ret_name)
{
	const char *slash = strrchr(path, '/');
	size_t dl = slash ? (size_t)(slash - path) : 0;
	*ret_name = slash ? slash + 1 : path;
	if (c->path && strlen(c->path) == dl && !strncmp(c->path, path, dl))
		return c->fd;
	if (c->fd >= 0 && c->fd != rootfd)
		close(c->fd);
	free(c->path);
	c->path = xstrndup(path, dl);
	c->fd = rootfd;
	for (const char *p = path; p < path + dl;) {
		size_t n = strcspn(p, "/");
		_cleanup_free_ char *comp = xstrndup(p, n);
		if (mkdirat(c->fd, comp, 0755) < 0 && errno != EEXIST)
			goto fail;
		int fd = openat(c->fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			goto fail;
		if (c->fd != rootfd)
			close(c->fd);
		c->fd = fd;
		p += n + 1;
	}
	return c->fd;
fail:;
	int e = errno;
	if (c->fd != rootfd)
		close(c->fd);
	c->fd = -1;
	free(c->path);
	c->path = NULL;
	return -e;
}

static int write_file_at(int rootfd, const char *path, const char *data, size_t len, struct dircache *c)
{
	const char *name;
	int dfd = open_parent(rootfd, path, c, &name);
	if (dfd < 0)
		return dfd;
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	int rc = write_all(fd, data, len);
	if (close(fd) < 0 && !rc)
		rc = -errno;
	return rc;
}

static int write_dir(int rootfd, struct memtree *t)
{
	struct dircache c = {.fd = -1};
	int rc = 0;
	memtree_finish(t);
	/* meta last: a snapshot without it is incomplete. */
	for (size_t i = 0; i < t->n && !rc; i++)
		if (t->v[i].data && strcmp(t->v[i].path, SNAPSHOT_META))
			rc = write_file_at(rootfd, t->v[i].path, t->v[i].data, t->v[i].len, &c);
	/* On disk before the meta that says the snapshot is whole. */
	if (!rc && syncfs(rootfd) < 0)
		rc = -errno;
	const struct memfile *m = memtree_file(t, SNAPSHOT_META);
	if (!rc && m)
		rc = write_file_at(rootfd, m->path, m->data, m->len, &c);
	if (!rc && syncfs(rootfd) < 0)
		rc = -errno;
	if (c.fd >= 0 && c.fd != rootfd)
		close(c.fd);
	free(c.path);
	return rc;
}

/* What the run read, as a tree: the earlier sample under kstall/sample0
 * (a tree's files already carry their prefix), and the meta file. */
static void snapshot_tree(struct sysroot *r, const struct run_window *w, struct memtree *t)
{
	const struct capture_entry *e;
	size_t n = sysroot_captured(r, &e);
	bool live = sysroot_is_live(r);

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *rel = live && e[i].sample == 0 ? xasprintf(SNAPSHOT_SAMPLE0 "%s", e[i].path)
								     : xstrdup(e[i].path);
		_cleanup_free_ char *clean = memtree_clean_path(rel);
		if (clean && strcmp(clean, SNAPSHOT_META))
			memtree_add(t, clean, e[i].data, e[i].len);
	}
	/* interval_s 0: one sample, since-boot figures. */
	_cleanup_free_ char *meta = xasprintf("kstall_snapshot_version=1\nkstall_version=%s\n"
					      "interval_s=%.17g\nt0=%.6f\nt1=%.6f\nuser_hz=%u\n",
					      KSTALL_VERSION, w->interval_s, w->t0, w->t1, w->user_hz);
	memtree_add(t, SNAPSHOT_META, meta, strlen(meta));
}

int cmd_snapshot(struct check_opts *o)
{
	struct sysroot *r = NULL;
	struct run_window w = {0};
	struct target t = {.parentfd = -1, .slot = -1, .tmpfd = -1};
	struct memtree tree = {0};
	int rc;

	/* -o the option table requires. */
	if (path_is_tar_gz(o->root)) {
		usage_error("snapshot reads a live host or a directory, not an archive");
		rc = EXIT_USAGE;
		goto out;
	}
	bool tgz = path_is_tar_gz(o->output);
	/* The output first: a name that cannot be written is said at once,
	 * not after the samples are taken. */
	int trc = target_open(&t, o->output, tgz);
	if (trc < 0) {
		rc = trc == -EINVAL ? EXIT_USAGE : EXIT_CANNOT_RUN;
		goto out;
	}
	rc = sysroot_open(o->root, &r);
	if (rc < 0) {
		fprintf(stderr, "kstall: cannot open root %s: %s\n", o->root, strerror(-rc));
		rc = EXIT_CANNOT_RUN;
		goto out;
	}
	sysroot_capture(r, true);
	sysroot_capture_sample(r, 1);
	rc = run_check(o, r, &w);
	if (rc == EXIT_CANNOT_RUN)
		goto out;
	snapshot_tree(r, &w, &tree);
	int wrc = tgz ? tar_gz_write_fd(t.tmpfd, &tree) : write_dir(t.tmpfd, &tree);
	if (!wrc && tgz && fsync(t.tmpfd) < 0 && errno != EINVAL)
		wrc = -errno;
	if (wrc < 0) {
		fprintf(stderr, "kstall: writing snapshot %s failed: %s\n", o->output, strerror(-wrc));
		rc = EXIT_CANNOT_RUN;
		goto out;
	}
	if (target_commit(&t) < 0) {
		rc = EXIT_CANNOT_RUN;
		goto out;
	}
	fprintf(stderr, "kstall: snapshot of %zu files written to %s\n", tree.n, o->output);
out:
	target_close(&t);
	memtree_free(&tree);
	sysroot_free(r);
	return rc;
}

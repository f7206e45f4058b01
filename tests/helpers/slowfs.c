/* Seed 004's network store, small: a FUSE file system (libfuse3) that
 * keeps files in memory and writes slowly, at a fixed bandwidth, like a
 * remote backend. The kernel registers its bdi as FUSE does every bdi:
 * strict_limit, max_ratio 1%.
 *
 *   slowfs MOUNTPOINT MB_PER_S MAX_MB
 *
 * Runs in the foreground until unmounted (umount MOUNTPOINT) or killed.
 * Flat: regular files in the root only. MAX_MB bounds the memory all
 * files together may hold; a write past it fails with ENOSPC. */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fuse.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES 64

struct file {
	char name[64];
	char *data;
	size_t size, cap;
	bool used;
};

static struct file files[MAX_FILES];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static double bytes_per_s;
static size_t max_bytes, held;

static struct file *lookup(const char *path)
{
	if (path[0] != '/' || strchr(path + 1, '/'))
		return NULL;
	for (int i = 0; i < MAX_FILES; i++)
		if (files[i].used && !strcmp(files[i].name, path + 1))
			return &files[i];
	return NULL;
}

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)fi;
	memset(st, 0, sizeof(*st));
	if (!strcmp(path, "/")) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	pthread_mutex_lock(&lock);
	struct file *f = lookup(path);
	if (f) {
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
		st->st_size = (off_t)f->size;
	}
	pthread_mutex_unlock(&lock);
	return f ? 0 : -ENOENT;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	(void)off, (void)fi, (void)flags;
	if (strcmp(path, "/"))
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_FILES; i++)
		if (files[i].used)
			fill(buf, files[i].name, NULL, 0, 0);
	pthread_mutex_unlock(&lock);
	return 0;
}

static int fs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)mode, (void)fi;
	if (path[0] != '/' || strchr(path + 1, '/') || strlen(path + 1) >= sizeof(files[0].name))
		return -EINVAL;
	pthread_mutex_lock(&lock);
	int rc = -ENOSPC;
	if (lookup(path))
		rc = 0;
	else
		for (int i = 0; i < MAX_FILES; i++)
			if (!files[i].used) {
				files[i] = (struct file){.used = true};
				snprintf(files[i].name, sizeof(files[i].name), "%s", path + 1);
				rc = 0;
				break;
			}
	pthread_mutex_unlock(&lock);
	return rc;
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
	(void)fi;
	pthread_mutex_lock(&lock);
	struct file *f = lookup(path);
	pthread_mutex_unlock(&lock);
	return f ? 0 : -ENOENT;
}

/* Grow f to size; the caller holds lock. */
static int resize(struct file *f, size_t size)
{
	if (size > f->cap) {
		if (held - f->cap + size > max_bytes)
			return -ENOSPC;
		char *d = realloc(f->data, size);
		if (!d)
			return -ENOMEM;
		memset(d + f->cap, 0, size - f->cap);
		held = held - f->cap + size;
		f->data = d, f->cap = size;
	}
	if (size < f->size)
		memset(f->data + size, 0, f->size - size);
	f->size = size;
	return 0;
}

static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	(void)fi;
	if (size < 0)
		return -EINVAL;
	pthread_mutex_lock(&lock);
	struct file *f = lookup(path);
	int rc = f ? resize(f, (size_t)size) : -ENOENT;
	pthread_mutex_unlock(&lock);
	return rc;
}

static int fs_read(const char *path, char *buf, size_t n, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	pthread_mutex_lock(&lock);
	struct file *f = lookup(path);
	int rc = -ENOENT;
	if (f) {
		size_t o = (size_t)off;
		rc = o >= f->size ? 0 : (int)(n < f->size - o ? n : f->size - o);
		if (rc > 0)
			memcpy(buf, f->data + o, (size_t)rc);
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

/* The slow part: each write takes as long as the bandwidth says, outside
 * the lock, like a network round trip. */
static int fs_write(const char *path, const char *buf, size_t n, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	double secs = (double)n / bytes_per_s;
	struct timespec ts = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&lock);
	struct file *f = lookup(path);
	int rc = -ENOENT;
	if (f) {
		size_t end = (size_t)off + n;
		rc = end > f->size ? resize(f, end) : 0;
		if (rc == 0) {
			memcpy(f->data + off, buf, n);
			rc = (int)n;
		}
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

static int fs_unlink(const char *path)
{
	pthread_mutex_lock(&lock);
	struct file *f = lookup(path);
	if (f) {
		held -= f->cap;
		free(f->data);
		*f = (struct file){0};
	}
	pthread_mutex_unlock(&lock);
	return f ? 0 : -ENOENT;
}

static const struct fuse_operations ops = {
	.getattr = fs_getattr,
	.readdir = fs_readdir,
	.create = fs_create,
	.open = fs_open,
	.truncate = fs_truncate,
	.read = fs_read,
	.write = fs_write,
	.unlink = fs_unlink,
};

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: slowfs MOUNTPOINT MB_PER_S MAX_MB\n");
		return 2;
	}
	bytes_per_s = atof(argv[2]) * 1048576.0;
	max_bytes = (size_t)atol(argv[3]) << 20;
	if (bytes_per_s <= 0 || max_bytes == 0 || max_bytes > (size_t)4096 << 20) {
		fprintf(stderr, "slowfs: MB_PER_S > 0, MAX_MB in 1..4096\n");
		return 2;
	}
	char *fargv[] = {argv[0], argv[1], "-f", "-o", "fsname=slowfs,subtype=slowfs,max_threads=8", NULL};
	return fuse_main(5, fargv, &ops, NULL);
}

/* A regular file whose read does not return: what /proc/PID/cmdline is
 * while a fork of a large process holds that process's mmap_lock, made
 * on demand. A FUSE file system (libfuse3) with one flat directory:
 *
 *   stuckfs MOUNTPOINT SECONDS NAME=TEXT... STUCK_NAME
 *
 * Each NAME=TEXT is a file holding TEXT (with "\n" read as a newline);
 * STUCK_NAME is a regular file whose every read blocks for SECONDS (at
 * most 120), then returns "stuck"; a reader interrupted by a signal
 * (or by its process exiting) is let go at once, as a killable lock wait
 * lets it go. Runs in the foreground until unmounted or killed; killing
 * it makes blocked reads fail at once. */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <signal.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES 16

static struct {
	char name[64];
	char text[4096];
} files[MAX_FILES];
static int nfiles;
static const char *stuck;
static unsigned stuck_s;

static int find(const char *path)
{
	if (path[0] != '/')
		return -1;
	for (int i = 0; i < nfiles; i++)
		if (!strcmp(files[i].name, path + 1))
			return i;
	return -1;
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
	int i = find(path);
	if (i < 0 && strcmp(path + 1, stuck))
		return -ENOENT;
	st->st_mode = S_IFREG | 0444;
	st->st_nlink = 1;
	st->st_size = i < 0 ? 0 : (off_t)strlen(files[i].text);
	return 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	(void)off, (void)fi, (void)flags;
	if (strcmp(path, "/"))
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	for (int i = 0; i < nfiles; i++)
		fill(buf, files[i].name, NULL, 0, 0);
	fill(buf, stuck, NULL, 0, 0);
	return 0;
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
	fi->direct_io = 1; /* no page cache: every read reaches us */
	return find(path) >= 0 || !strcmp(path + 1, stuck) ? 0 : -ENOENT;
}

static int fs_read(const char *path, char *buf, size_t n, off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	const char *text = "stuck";
	int i = find(path);
	if (i >= 0) {
		text = files[i].text;
	} else {
		/* Asleep, but an interrupted caller (a signal, its process
		 * exiting) is let go, as a killable lock wait would be. */
		for (unsigned ms = 0; ms < stuck_s * 1000; ms += 10) {
			if (fuse_interrupted())
				return -EINTR;
			usleep(10000);
		}
	}
	size_t len = strlen(text), o = (size_t)off;
	if (o >= len)
		return 0;
	size_t take = n < len - o ? n : len - o;
	memcpy(buf, text + o, take);
	return (int)take;
}

/* Interrupts reach the read that is asleep: libfuse signals its thread
 * with SIGUSR1, which must wake it, not kill the daemon. */
static void on_usr1(int sig) { (void)sig; }

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->intr = 1;
	return NULL;
}

static const struct fuse_operations ops = {
	.init = fs_init,
	.getattr = fs_getattr,
	.readdir = fs_readdir,
	.open = fs_open,
	.read = fs_read,
};

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: stuckfs MOUNTPOINT SECONDS NAME=TEXT... STUCK_NAME\n");
		return 2;
	}
	stuck_s = (unsigned)atoi(argv[2]);
	if (stuck_s < 1 || stuck_s > 120) {
		fprintf(stderr, "stuckfs: SECONDS in 1..120\n");
		return 2;
	}
	for (int a = 3; a < argc - 1 && nfiles < MAX_FILES; a++) {
		char *eq = strchr(argv[a], '=');
		if (!eq || eq == argv[a] || (size_t)(eq - argv[a]) >= sizeof(files[0].name)) {
			fprintf(stderr, "stuckfs: NAME=TEXT, not '%s'\n", argv[a]);
			return 2;
		}
		snprintf(files[nfiles].name, sizeof(files[0].name), "%.*s", (int)(eq - argv[a]), argv[a]);
		char *o = files[nfiles].text;
		for (const char *s = eq + 1; *s && o < files[nfiles].text + sizeof(files[0].text) - 1; s++) {
			if (s[0] == '\\' && s[1] == 'n') {
				*o++ = '\n';
				s++;
			} else {
				*o++ = *s;
			}
		}
		*o = '\0';
		nfiles++;
	}
	stuck = argv[argc - 1];
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &sa, NULL);
	char *fargv[] = {argv[0], argv[1], "-f", "-o", "fsname=stuckfs,subtype=stuckfs", NULL};
	return fuse_main(5, fargv, &ops, NULL);
}

#include "cleanup.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>

struct slot {
	volatile sig_atomic_t used;
	int dirfd;
	dev_t dev;
	ino_t ino;
	char name[256];
};

static struct slot slots[CLEANUP_SLOTS];
static bool handlers_installed;
static const int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGXFSZ, SIGUSR1, SIGUSR2, SIGALRM};

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Recursion is bounded by depth: kstall's own trees are a dozen deep. */
static int remove_at(int dirfd, const char *name, int depth)
{
	if (unlinkat(dirfd, name, 0) == 0)
		return 0;
	if (errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Entries removed while listing may make getdents skip others: list
	 * again from the start until a pass finds nothing to remove. */
	for (int pass = 0; pass < 64 && depth < 64; pass++) {
		char buf[4096];
		bool removed = false;
		lseek(fd, 0, SEEK_SET);
		for (;;) {
			long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
			if (n <= 0)
				break;
			for (long off = 0; off < n;) {
				struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
				off += d->d_reclen;
				if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
					continue;
				if (remove_at(fd, d->d_name, depth + 1) == 0)
					removed = true;
			}
		}
		if (!removed)
			break;
	}
	close(fd);
	return unlinkat(dirfd, name, AT_REMOVEDIR) == 0 ? 0 : -errno;
}

int cleanup_remove_if(int dirfd, const char *name, dev_t dev, ino_t ino)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (st.st_dev != dev || st.st_ino != ino)
		return -ESTALE; /* not what kstall made: left alone */
	return remove_at(dirfd, name, 0);
}

static void on_signal(int sig)
{
	int saved = errno;
	for (int i = 0; i < CLEANUP_SLOTS; i++)
		if (slots[i].used) {
			cleanup_remove_if(slots[i].dirfd, slots[i].name, slots[i].dev, slots[i].ino);
			slots[i].used = 0;
		}
	signal(sig, SIG_DFL);
	errno = saved;
	raise(sig);
}

void cleanup_block(sigset_t *old)
{
	sigset_t s;
	sigemptyset(&s);
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		sigaddset(&s, signals[i]);
	sigprocmask(SIG_BLOCK, &s, old);
}

void cleanup_unblock(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

int cleanup_register(int dirfd, const char *name, dev_t dev, ino_t ino)
{
	sigset_t old;
	int slot = -ENOSPC;

	if (strlen(name) >= sizeof(slots[0].name))
		return -ENAMETOOLONG;
	cleanup_block(&old);
	if (!handlers_installed) {
		struct sigaction sa = {.sa_handler = on_signal};
		sigfillset(&sa.sa_mask); /* one handler at a time */
		for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
			struct sigaction prev;
			/* A signal the caller ignores (nohup) stays ignored. */
			if (sigaction(signals[i], NULL, &prev) == 0 && prev.sa_handler == SIG_IGN)
				continue;
			sigaction(signals[i], &sa, NULL);
		}
		handlers_installed = true;
	}
	for (int i = 0; i < CLEANUP_SLOTS; i++)
		if (!slots[i].used) {
			slots[i].dirfd = dirfd;
			slots[i].dev = dev;
			slots[i].ino = ino;
			snprintf(slots[i].name, sizeof(slots[i].name), "%s", name);
			slots[i].used = 1;
			slot = i;
			break;
		}
	cleanup_unblock(&old);
	return slot;
}

void cleanup_forget(int slot)
{
	sigset_t old;
	if (slot < 0 || slot >= CLEANUP_SLOTS)
		return;
	cleanup_block(&old);
	slots[slot].used = 0;
	cleanup_unblock(&old);
}

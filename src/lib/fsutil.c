#include "fsutil.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

bool relpath_is_safe(const char *rel)
{
	if (!*rel || rel[0] == '/')
		return false;
	for (const char *p = rel; (p = strstr(p, "..")); p += 2)
		if ((p == rel || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return false;
	return true;
}

static int mkdirs(char *path, bool last)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0755);
		*p = '/';
		if (rc < 0 && errno != EEXIST)
			return -errno;
	}
	if (last && mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int mkdir_p(const char *path)
{
	_cleanup_free_ char *p = xstrdup(path);
	return mkdirs(p, true);
}

int mkdir_parents(const char *path)
{
	_cleanup_free_ char *p = xstrdup(path);
	return mkdirs(p, false);
}

int write_whole_file(const char *path, const char *data, size_t len)
{
	int rc = mkdir_parents(path);
	if (rc < 0)
		return rc;
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int rm_entry(const char *p, const struct stat *sb UNUSED, int flag UNUSED, struct FTW *ftw UNUSED)
{
	remove(p);
	return 0;
}

void rm_rf(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Snapshots as .tar.gz: POSIX ustar through zlib. Only regular files and
 * directories; extraction refuses absolute names and "..". */
#include "cmd.h"
#include "../lib/fsutil.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <zlib.h>

#define TAR_MAX_TOTAL (2ull << 30)
#define TAR_MAX_ENTRIES 1000000

struct ustar {
	char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8], typeflag;
	char linkname[100], magic[6], version[2], uname[32], gname[32], devmajor[8], devminor[8];
	char prefix[155], pad[12];
};
_Static_assert(sizeof(struct ustar) == 512, "ustar header is one block");

bool path_is_tar_gz(const char *p)
{
	size_t n = strlen(p);
	return (n > 7 && !strcmp(p + n - 7, ".tar.gz")) || (n > 4 && !strcmp(p + n - 4, ".tgz"));
}

static unsigned checksum(const struct ustar *h)
{
	const unsigned char *p = (const unsigned char *)h;
	unsigned s = 0;
	for (size_t i = 0; i < sizeof(*h); i++)
		s += (i >= offsetof(struct ustar, chksum) && i < offsetof(struct ustar, chksum) + 8) ? ' ' : p[i];
	return s;
}

static gzFile tar_out;
static const char *tar_base;
static int tar_err;

static int put_entry(const char *fpath, const struct stat *sb, int flag, struct FTW *ftw UNUSED)
{
	struct ustar h = {0};
	const char *rel = fpath + strlen(tar_base);
	while (*rel == '/')
		rel++;
	if (!*rel || (flag != FTW_F && flag != FTW_D))
		return 0;
	if (flag == FTW_F && !S_ISREG(sb->st_mode))
		return 0;
	size_t len = strlen(rel);
	if (len < sizeof(h.name)) {
		memcpy(h.name, rel, len);
	} else {
		/* Split at a '/' so that prefix <= 155 and name < 100. */
		const char *cut = NULL;
		for (const char *p = rel; (p = strchr(p, '/')); p++)
			if ((size_t)(p - rel) <= sizeof(h.prefix) && strlen(p + 1) < sizeof(h.name))
				cut = p;
		if (!cut) {
			tar_err = -ENAMETOOLONG;
			return 1;
		}
		memcpy(h.prefix, rel, (size_t)(cut - rel));
		memcpy(h.name, cut + 1, strlen(cut + 1));
	}
	bool dir = flag == FTW_D;
	snprintf(h.mode, sizeof(h.mode), "%07o", dir ? 0755 : 0644);
	snprintf(h.uid, sizeof(h.uid), "%07o", 0);
	snprintf(h.gid, sizeof(h.gid), "%07o", 0);
	snprintf(h.size, sizeof(h.size), "%011llo", dir ? 0ULL : (unsigned long long)sb->st_size);
	snprintf(h.mtime, sizeof(h.mtime), "%011llo", (unsigned long long)sb->st_mtime);
	h.typeflag = dir ? '5' : '0';
	memcpy(h.magic, "ustar", 6);
	memcpy(h.version, "00", 2);
	snprintf(h.chksum, sizeof(h.chksum), "%06o", checksum(&h));
	h.chksum[7] = ' ';
	if (gzwrite(tar_out, &h, sizeof(h)) != (int)sizeof(h)) {
		tar_err = -EIO;
		return 1;
	}
	if (dir)
		return 0;
	int fd = open(fpath, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		tar_err = -errno;
		return 1;
	}
	char block[512];
	off_t left = sb->st_size;
	while (left > 0) {
		memset(block, 0, sizeof(block));
		ssize_t n = read(fd, block, sizeof(block));
		if (n <= 0) {
			tar_err = n < 0 ? -errno : -EIO;
			close(fd);
			return 1;
		}
		if (gzwrite(tar_out, block, sizeof(block)) != (int)sizeof(block)) {
			tar_err = -EIO;
			close(fd);
			return 1;
		}
		left -= n;
	}
	close(fd);
	return 0;
}

int tar_gz_write(const char *path, const char *dir)
{
	char zero[1024] = {0};
	tar_out = gzopen(path, "wb");
	if (!tar_out)
		return -errno ? -errno : -EIO;
	tar_base = dir;
	tar_err = 0;
	nftw(dir, put_entry, 16, FTW_PHYS);
	if (!tar_err && gzwrite(tar_out, zero, sizeof(zero)) != (int)sizeof(zero))
		tar_err = -EIO;
	if (gzclose(tar_out) != Z_OK && !tar_err)
		tar_err = -EIO;
	return tar_err;
}

static int octal(const char *f, size_t n, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i = 0;
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++)
		v = v * 8 + (uint64_t)(f[i] - '0');
	if (i < n && f[i] != '\0' && f[i] != ' ')
		return -EINVAL;
	*ret = v;
	return 0;
}

int tar_gz_extract(const char *path, const char *dir)
{
	gzFile in = gzopen(path, "rb");
	struct ustar h;
	uint64_t total = 0;
	unsigned entries = 0;
	int rc = 0;

	if (!in)
		return errno ? -errno : -EIO;
	while (gzread(in, &h, sizeof(h)) == (int)sizeof(h)) {
		uint64_t size, sum;
		char name[300];
		if (!h.name[0])
			break; /* end-of-archive block */
		if (octal(h.size, sizeof(h.size), &size) < 0 || octal(h.chksum, sizeof(h.chksum), &sum) < 0 ||
		    sum != checksum(&h) || ++entries > TAR_MAX_ENTRIES || (total += size) > TAR_MAX_TOTAL) {
			rc = -EINVAL;
			break;
		}
		if (h.prefix[0])
			snprintf(name, sizeof(name), "%.155s/%.100s", h.prefix, h.name);
		else
			snprintf(name, sizeof(name), "%.100s", h.name);
		if (!relpath_is_safe(name)) {
			rc = -EINVAL;
			break;
		}
		_cleanup_free_ char *out = xasprintf("%s/%s", dir, name);
		if ((rc = mkdir_parents(out)) < 0)
			break;
		if (h.typeflag == '5') {
			if (mkdir(out, 0755) < 0 && errno != EEXIST) {
				rc = -errno;
				break;
			}
			continue;
		}
		int fd = -1;
		if (h.typeflag == '0' || h.typeflag == '\0') {
			fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
			if (fd < 0) {
				rc = -errno;
				break;
			}
		}
		char block[512];
		for (uint64_t left = size; left > 0;) {
			if (gzread(in, block, sizeof(block)) != (int)sizeof(block)) {
				rc = -EIO;
				break;
			}
			size_t take = left < sizeof(block) ? (size_t)left : sizeof(block);
			if (fd >= 0 && write(fd, block, take) != (ssize_t)take) {
				rc = -EIO;
				break;
			}
			left -= take;
		}
		if (fd >= 0)
			close(fd);
		if (rc < 0)
			break;
	}
	gzclose(in);
	return rc;
}

#include "tar.h"
#include "sysroot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

struct ustar {
	char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8], typeflag;
	char linkname[100], magic[6], version[2], uname[32], gname[32], devmajor[8], devminor[8];
	char prefix[155], pad[12];
};
_Static_assert(sizeof(struct ustar) == 512, "ustar header is one block");

#define LONGNAME_MAX 4096
#define PAX_MAX (64u << 10)

bool path_is_tar_gz(const char *p)
{
	size_t n = strlen(p);
	return (n > 7 && !strcmp(p + n - 7, ".tar.gz")) || (n > 4 && !strcmp(p + n - 4, ".tgz"));
}

/* ---- reading: a byte source, plain or gzip ---- */

struct rd {
	const unsigned char *mem; /* plain tar in memory, or gzip bytes in memory */
	size_t memlen, mempos;
	int fd;                   /* gzip bytes from a file, or -1 */
	bool gz;
	z_stream z;
	unsigned char in[65536];
	bool in_eof, stream_end;
	uint64_t produced;        /* bytes of tar read so far */
	uint64_t consumed;        /* bytes of gzip read so far */
	char *why;
	size_t whylen;
};

static int rd_refill(struct rd *r)
{
	if (r->fd < 0) {
		size_t n = r->memlen - r->mempos;
		r->z.next_in = (Bytef *)(r->mem + r->mempos);
		r->z.avail_in = (uInt)(n > (1u << 20) ? (1u << 20) : n);
		r->mempos += r->z.avail_in;
		r->consumed += r->z.avail_in;
		r->in_eof = r->mempos == r->memlen;
		return 0;
	}
	for (;;) {
		ssize_t n = read(r->fd, r->in, sizeof(r->in));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			snprintf(r->why, r->whylen, "reading the archive: %s", strerror(e));
			return -e;
		}
		r->z.next_in = r->in;
		r->z.avail_in = (uInt)n;
		r->consumed += (uint64_t)n;
		r->in_eof = n == 0;
		return 0;
	}
}

/* One inflate() into the output buffer the caller set: input refilled,
 * one gzip member after another (cat a.gz b.gz), stream_end set at the
 * end of the last; a cut or corrupt stream is an error that says so. */
static int rd_inflate(struct rd *r)
{
	if (!r->z.avail_in && !r->in_eof) {
		int rc = rd_refill(r);
		if (rc < 0)
			return rc;
	}
	int zr = inflate(&r->z, Z_NO_FLUSH);
	if (zr == Z_STREAM_END) {
		if (!r->z.avail_in && !r->in_eof && rd_refill(r) < 0)
			return -EIO;
		if (r->z.avail_in)
			inflateReset(&r->z);
		else
			r->stream_end = true;
		return 0;
	}
	if (zr == Z_BUF_ERROR && !r->z.avail_in && r->in_eof) {
		snprintf(r->why, r->whylen, "truncated: the gzip stream ends early (no trailer)");
		return -EINVAL;
	}
	if (zr != Z_OK && zr != Z_BUF_ERROR) {
		snprintf(r->why, r->whylen, "not a valid gzip stream (%s)",
			 zr == Z_DATA_ERROR && r->z.msg ? r->z.msg : zr == Z_MEM_ERROR ? "out of memory" : "corrupt");
		return -EINVAL;
	}
	return 0;
}

/* Exactly n bytes, or an error that says why: the tar ended early, the
 * gzip stream is cut or corrupt, the read failed. */
static int rd_over(struct rd *r, uint64_t more)
{
	if (r->produced + more > TAR_MAX_TOTAL + (64u << 20)) {
		snprintf(r->why, r->whylen, "the archive unpacks to more than %llu MiB", TAR_MAX_TOTAL >> 20);
		return -EFBIG;
	}
	if (r->gz && r->produced + more > TAR_RATIO_FREE + TAR_RATIO * r->consumed) {
		snprintf(r->why, r->whylen, "the gzip stream expands more than %d-fold (a decompression bomb?)",
			 TAR_RATIO);
		return -EFBIG;
	}
	return 0;
}

static int rd_read(struct rd *r, void *buf, size_t n)
{
	int orc = rd_over(r, n);
	if (orc < 0)
		return orc;
	if (!r->gz) {
		if (r->memlen - r->mempos < n) {
			snprintf(r->why, r->whylen, "truncated: the archive ends inside a member (byte %zu)", r->memlen);
			return -EINVAL;
		}
		memcpy(buf, r->mem + r->mempos, n);
		r->mempos += n;
		r->produced += n;
		return 0;
	}
	r->z.next_out = buf;
	r->z.avail_out = (uInt)n;
	while (r->z.avail_out) {
		if (r->stream_end) {
			snprintf(r->why, r->whylen, "truncated: the archive ends inside a member");
			return -EINVAL;
		}
		int rc = rd_inflate(r);
		if (rc < 0)
			return rc;
	}
	r->produced += n;
	return 0;
}

/* After the end blocks: only zero padding, then the gzip trailer. */
static int rd_finish(struct rd *r)
{
	unsigned char pad[512];
	if (!r->gz) {
		for (; r->mempos < r->memlen; r->mempos++)
			if (r->mem[r->mempos]) {
				snprintf(r->why, r->whylen, "data after the end of the archive");
				return -EINVAL;
			}
		return 0;
	}
	while (!r->stream_end) {
		r->z.next_out = pad;
		r->z.avail_out = sizeof(pad);
		int rc = rd_inflate(r);
		size_t got = sizeof(pad) - r->z.avail_out;
		for (size_t i = 0; i < got; i++)
			if (pad[i]) {
				snprintf(r->why, r->whylen, "data after the end of the archive");
				return -EINVAL;
			}
		r->produced += got;
		int orc = rd_over(r, 0);
		if (orc < 0)
			return orc;
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- headers ---- */

static unsigned checksum(const struct ustar *h, bool sign)
{
	const unsigned char *p = (const unsigned char *)h;
	unsigned s = 0;
	for (size_t i = 0; i < sizeof(*h); i++) {
		bool in_sum = i >= offsetof(struct ustar, chksum) && i < offsetof(struct ustar, chksum) + 8;
		s += in_sum ? ' ' : sign ? (unsigned)(int)(signed char)p[i] : p[i];
	}
	return s;
}

/* An octal field: optional leading spaces, digits, then NULs or spaces. */
static int octal(const char *f, size_t n, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i = 0;
	while (i < n && f[i] == ' ')
		i++;
	size_t digits = 0;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
		if (v >> 60)
			return -EINVAL;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != '\0' && f[i] != ' ')
			return -EINVAL;
	if (!digits)
		return -EINVAL;
	*ret = v;
	return 0;
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		if (c[i])
			return false;
	return true;
}

/* Read a member's data (size bytes, padded to blocks), keeping at most
 * keep bytes (the rest is checked and dropped). */
static int read_data(struct rd *r, uint64_t size, struct buf *ret)
{
	char block[512];
	for (uint64_t left = size; left > 0;) {
		int rc = rd_read(r, block, sizeof(block));
		if (rc < 0)
			return rc;
		size_t take = left < sizeof(block) ? (size_t)left : sizeof(block);
		if (ret)
			buf_append(ret, block, take);
		left -= take;
	}
	return 0;
}

/* pax "LEN path=VALUE\n" records: the path, if there is one. */
static char *pax_path(const char *d, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t len = 0, j = i;
		while (j < n && d[j] >= '0' && d[j] <= '9' && len < PAX_MAX)
			len = len * 10 + (size_t)(d[j++] - '0');
		if (j >= n || d[j] != ' ' || len == 0 || i + len > n || d[i + len - 1] != '\n')
			return NULL;
		const char *kv = d + j + 1, *end = d + i + len - 1;
		if ((size_t)(end - kv) > 5 && !memcmp(kv, "path=", 5))
			return xstrndup(kv + 5, (size_t)(end - kv - 5));
		i += len;
	}
	return NULL;
}

/* The next header, or an error: a cut archive says where it was cut. */
static int read_header(struct rd *r, struct ustar *h, unsigned entries)
{
	int rc = rd_read(r, h, sizeof(*h));
	if (rc < 0) {
		bool cut = rc == -EINVAL && str_starts_with(r->why, "truncated: the archive ends");
		if (cut && !entries && r->produced == 0)
			snprintf(r->why, r->whylen, "truncated: empty, not a tar archive");
		else if (cut)
			snprintf(r->why, r->whylen, "truncated: the archive has no end blocks");
	}
	return rc;
}

/* After a zero block, the second of the two that end the archive. */
static int read_end_block(struct rd *r, unsigned entries)
{
	struct ustar h;
	int rc = rd_read(r, &h, sizeof(h));
	if (rc < 0) {
		if (rc == -EINVAL && str_starts_with(r->why, "truncated: the archive ends"))
			snprintf(r->why, r->whylen, "truncated: the archive has one end block of two");
		return rc;
	}
	if (!all_zero(&h, sizeof(h))) {
		snprintf(r->why, r->whylen, "a zero block inside the archive (member %u)", entries + 1);
		return -EINVAL;
	}
	return 0;
}

/* Member idx's header: a ustar one, its checksum right; its size. */
static int check_header(struct rd *r, const struct ustar *h, unsigned idx, uint64_t *ret_size)
{
	uint64_t size, sum;
	if (idx > TAR_MAX_ENTRIES) {
		snprintf(r->why, r->whylen, "more than %u members", TAR_MAX_ENTRIES);
		return -EFBIG;
	}
	if (memcmp(h->magic, "ustar", 5)) {
		snprintf(r->why, r->whylen, "member %u: not a ustar header", idx);
		return -EINVAL;
	}
	if (octal(h->chksum, sizeof(h->chksum), &sum) < 0 ||
	    (sum != checksum(h, false) && sum != checksum(h, true))) {
		snprintf(r->why, r->whylen, "member %u: bad header checksum", idx);
		return -EINVAL;
	}
	if (octal(h->size, sizeof(h->size), &size) < 0) {
		snprintf(r->why, r->whylen, "member %u: bad size field", idx);
		return -EINVAL;
	}
	*ret_size = size;
	return 0;
}

/* A GNU 'L' or pax 'x' member: the name of the next one, in *next_name. */
static int read_long_name(struct rd *r, char type, uint64_t size, unsigned idx, char **next_name)
{
	struct buf d = {0};
	if (size > (type == 'L' ? LONGNAME_MAX : PAX_MAX)) {
		snprintf(r->why, r->whylen, "member %u: extended header of %llu bytes", idx, (unsigned long long)size);
		return -EFBIG;
	}
	int rc = read_data(r, size, &d);
	if (rc < 0) {
		buf_free(&d);
		return rc;
	}
	free(*next_name);
	*next_name = type == 'L' ? xstrndup(d.data ? d.data : "", strnlen(d.data ? d.data : "", d.len))
				 : pax_path(d.data ? d.data : "", d.len);
	buf_free(&d);
	return 0;
}

/* The member's name as the archive spells it: a long name read before
 * it (taken), or the header's prefix and name. */
static char *raw_name(const struct ustar *h, char **next_name)
{
	bool posix = !memcmp(h->magic, "ustar\0", 6);
	if (*next_name)
		return TAKE_PTR(*next_name);
	if (posix && h->prefix[0])
		return xasprintf("%.*s/%.*s", (int)strnlen(h->prefix, sizeof(h->prefix)), h->prefix,
				 (int)strnlen(h->name, sizeof(h->name)), h->name);
	return xstrndup(h->name, strnlen(h->name, sizeof(h->name)));
}

/* The member's data, by its type: a file or directory into the tree;
 * links, devices and the like skipped; anything else refused. */
static int read_member_data(struct rd *r, struct memtree *t, char type, const char *name, uint64_t size)
{
	int rc;
	if (type == '0' || type == '\0' || type == '7') {
		struct buf d = {0};
		if ((rc = read_data(r, size, &d)) < 0) {
			buf_free(&d);
			return rc;
		}
		memtree_add(t, name, d.data ? d.data : "", d.len);
		buf_free(&d);
		return 0;
	}
	if (type == '5') {
		memtree_add(t, name, NULL, 0);
		return read_data(r, size, NULL);
	}
	if (type && strchr("12346Kg", type))
		/* Links, devices, FIFOs, GNU long link names, pax globals:
		 * nothing kstall reads; skipped. */
		return read_data(r, size, NULL);
	snprintf(r->why, r->whylen, "member %.200s: unknown type '%c'", name, type >= 0x20 && type < 0x7f ? type : '?');
	return -EINVAL;
}

/* One member that is not a long name: its name made safe, its size
 * within the limits (*total counts what the tree holds), its data. */
static int read_member(struct rd *r, struct memtree *t, const struct ustar *h, uint64_t size, unsigned idx,
		       char **next_name, uint64_t *total)
{
	char type = h->typeflag;
	_cleanup_free_ char *raw = raw_name(h, next_name);
	_cleanup_free_ char *name = memtree_clean_path(raw);
	if (!name && raw[0] && raw[0] != '/' && strspn(raw, "./") == strlen(raw) && !strstr(raw, ".."))
		/* "./": the top directory itself (tar -C DIR .). */
		return read_data(r, size, NULL);
	if (!name) {
		snprintf(r->why, r->whylen, "member %u (%.200s): %s", idx, raw,
			 raw[0] == '/' ? "an absolute name" : !raw[0] ? "an empty name" : "a '..' part in its name");
		return -EINVAL;
	}
	bool file = type == '0' || type == '\0' || type == '7';
	if (file && size > SYSROOT_MAX_FILE) {
		char a[32], b[32];
		snprintf(r->why, r->whylen, "member %.200s: %s is over the %s limit", name,
			 fmt_bytes((double)size, a, sizeof(a)), fmt_bytes(SYSROOT_MAX_FILE, b, sizeof(b)));
		return -EFBIG;
	}
	/* Names cost memory too (a path and its entry per member). */
	if ((*total += size + strlen(name) + 64) > TAR_MAX_TOTAL) {
		snprintf(r->why, r->whylen, "the members hold more than %llu MiB", TAR_MAX_TOTAL >> 20);
		return -EFBIG;
	}
	return read_member_data(r, t, type, name, size);
}

static int tar_read(struct rd *r, struct memtree *ret)
{
	struct memtree t = {0};
	struct ustar h;
	uint64_t total = 0, size;
	unsigned entries = 0;
	char *next_name = NULL; /* from a GNU 'L' or pax 'x' header */
	int rc;

	for (;;) {
		if ((rc = read_header(r, &h, entries)) < 0)
			goto fail;
		if (all_zero(&h, sizeof(h))) {
			if ((rc = read_end_block(r, entries)) < 0)
				goto fail;
			break;
		}
		unsigned idx = ++entries;
		if ((rc = check_header(r, &h, idx, &size)) < 0)
			goto fail;
		if (h.typeflag == 'L' || h.typeflag == 'x') /* the next member's name */
			rc = read_long_name(r, h.typeflag, size, idx, &next_name);
		else
			rc = read_member(r, &t, &h, size, idx, &next_name, &total);
		if (rc < 0)
			goto fail;
	}
	if ((rc = rd_finish(r)) < 0)
		goto fail;
	free(next_name);
	memtree_finish(&t);
	*ret = t;
	return 0;
fail:
	free(next_name);
	memtree_free(&t);
	return rc;
}

static int gz_run(struct rd *r, struct memtree *ret)
{
	if (inflateInit2(&r->z, 15 + 16) != Z_OK) {
		snprintf(r->why, r->whylen, "zlib: cannot start");
		return -ENOMEM;
	}
	int rc = tar_read(r, ret);
	inflateEnd(&r->z);
	return rc;
}

int tar_read_mem(const void *data, size_t len, struct memtree *ret, char *why, size_t whylen)
{
	struct rd r = {.mem = data, .memlen = len, .fd = -1, .why = why, .whylen = whylen};
	return tar_read(&r, ret);
}

int tar_gz_read_mem(const void *data, size_t len, struct memtree *ret, char *why, size_t whylen)
{
	struct rd *r = xcalloc(1, sizeof(*r));
	*r = (struct rd){.mem = data, .memlen = len, .fd = -1, .gz = true, .why = why, .whylen = whylen};
	int rc = gz_run(r, ret);
	free(r);
	return rc;
}

int tar_gz_read(const char *path, struct memtree *ret, char *why, size_t whylen)
{
	/* A regular file or nothing: a FIFO or device is not even opened. */
	int fd, rc = open_regular_path(path, &fd, why, whylen);
	if (rc == -EISDIR || rc == -EINVAL) {
		char kind[64];
		snprintf(kind, sizeof(kind), "%s", why);
		if (rc == -EISDIR)
			snprintf(why, whylen, "a directory, not an archive");
		else
			snprintf(why, whylen, "not a regular file (%s)", kind);
		return -EINVAL;
	}
	if (rc < 0)
		return rc;
	struct rd *r = xcalloc(1, sizeof(*r));
	*r = (struct rd){.fd = fd, .gz = true, .why = why, .whylen = whylen};
	rc = gz_run(r, ret);
	free(r);
	close(fd);
	return rc;
}

/* ---- writing ---- */

struct wr {
	int fd;
	z_stream z;
	unsigned char out[65536];
	int err;
};

static int wr_flush(struct wr *w, size_t n)
{
	return write_all(w->fd, w->out, n);
}

static int wr_put(struct wr *w, const void *data, size_t n, int flush)
{
	if (w->err)
		return w->err;
	w->z.next_in = (Bytef *)data;
	w->z.avail_in = (uInt)n;
	do {
		w->z.next_out = w->out;
		w->z.avail_out = sizeof(w->out);
		int zr = deflate(&w->z, flush);
		if (zr == Z_STREAM_ERROR)
			return w->err = -EIO;
		int rc = wr_flush(w, sizeof(w->out) - w->z.avail_out);
		if (rc < 0)
			return w->err = rc;
	} while (w->z.avail_out == 0 || (flush == Z_FINISH && w->z.avail_in));
	return 0;
}

static int put_header(struct wr *w, const char *path, char type, size_t size, time_t mtime);

/* A path ustar cannot hold goes in a pax extended header before it. */
static int put_pax_path(struct wr *w, const char *path, time_t mtime)
{
	size_t base = strlen(" path=\n") + strlen(path), len = base;
	while (len != base + (size_t)snprintf(NULL, 0, "%zu", len))
		len = base + (size_t)snprintf(NULL, 0, "%zu", len);
	_cleanup_free_ char *rec = xasprintf("%zu path=%s\n", len, path);
	int rc = put_header(w, "PaxHeader/long-name", 'x', len, mtime);
	static const char zeros[512];
	if (!rc)
		rc = wr_put(w, rec, len, Z_NO_FLUSH);
	if (!rc && len % 512)
		rc = wr_put(w, zeros, 512 - len % 512, Z_NO_FLUSH);
	return rc;
}

static int put_header(struct wr *w, const char *path, char type, size_t size, time_t mtime)
{
	struct ustar h = {0};
	size_t len = strlen(path);
	bool dir = type == '5';
	if (len < sizeof(h.name)) {
		memcpy(h.name, path, len);
	} else {
		/* Split at a '/' so that prefix <= 155 and name < 100. */
		const char *cut = NULL;
		for (const char *p = path; (p = strchr(p, '/')); p++)
			if ((size_t)(p - path) <= sizeof(h.prefix) && strlen(p + 1) < sizeof(h.name))
				cut = p;
		if (cut) {
			memcpy(h.prefix, path, (size_t)(cut - path));
			memcpy(h.name, cut + 1, strlen(cut + 1));
		} else {
			int rc = put_pax_path(w, path, mtime);
			if (rc < 0)
				return rc;
			memcpy(h.name, path, sizeof(h.name) - 1); /* for readers without pax */
		}
	}
	snprintf(h.mode, sizeof(h.mode), "%07o", dir ? 0755 : 0644);
	snprintf(h.uid, sizeof(h.uid), "%07o", 0);
	snprintf(h.gid, sizeof(h.gid), "%07o", 0);
	snprintf(h.size, sizeof(h.size), "%011llo", dir ? 0ULL : (unsigned long long)size);
	snprintf(h.mtime, sizeof(h.mtime), "%011llo", (unsigned long long)mtime);
	h.typeflag = type;
	memcpy(h.magic, "ustar", 6);
	memcpy(h.version, "00", 2);
	snprintf(h.chksum, sizeof(h.chksum), "%06o", checksum(&h, false));
	h.chksum[7] = ' ';
	return wr_put(w, &h, sizeof(h), Z_NO_FLUSH);
}

int tar_gz_write_fd(int fd, struct memtree *t)
{
	struct wr *w = xcalloc(1, sizeof(*w));
	char **dirs = NULL; /* the directories above the current file */
	size_t ndirs = 0, capdirs = 0;
	time_t now = time(NULL);
	int rc = 0;

	w->fd = fd;
	if (deflateInit2(&w->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(w);
		return -ENOMEM;
	}
	memtree_finish(t);
	for (size_t i = 0; i < t->n && !rc; i++) {
		const struct memfile *f = &t->v[i];
		/* Sorted, a directory's files are contiguous: leave the
		 * directories this path is not under, then write each parent
		 * it is under that is not written yet. */
		while (ndirs) {
			size_t dl = strlen(dirs[ndirs - 1]);
			if (!strncmp(f->path, dirs[ndirs - 1], dl) && f->path[dl] == '/')
				break;
			free(dirs[--ndirs]);
		}
		const char *s = f->path;
		if (ndirs)
			s += strlen(dirs[ndirs - 1]) + 1;
		for (; (s = strchr(s, '/')) && !rc; s++) {
			ARRAY_GROW(dirs, ndirs, capdirs);
			dirs[ndirs++] = xstrndup(f->path, (size_t)(s - f->path));
			rc = put_header(w, dirs[ndirs - 1], '5', 0, now);
		}
		if (rc || !f->data)
			continue; /* a directory entry: written as a parent when it holds files */
		rc = put_header(w, f->path, '0', f->len, now);
		if (!rc && f->len)
			rc = wr_put(w, f->data, f->len, Z_NO_FLUSH);
		static const char zeros[512];
		if (!rc && f->len % 512)
			rc = wr_put(w, zeros, 512 - f->len % 512, Z_NO_FLUSH);
	}
	static const char end[1024];
	if (!rc)
		rc = wr_put(w, end, sizeof(end), Z_FINISH);
	deflateEnd(&w->z);
	for (size_t k = 0; k < ndirs; k++)
		free(dirs[k]);
	free(dirs);
	free(w);
	return rc;
}

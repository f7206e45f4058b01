#include "recfile.h"
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <zlib.h>

/* JSON values in text, counted the cheap way: one per ',', '[' or '{'
 * outside strings, plus one. json-c spends some 70 bytes on each, so this
 * bounds what a frame costs once parsed, whatever its length. */
static size_t json_values(const char *s, size_t n)
{
	size_t c = 1;
	bool in_str = false;

	for (size_t i = 0; i < n; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = false;
		} else if (s[i] == '"') {
			in_str = true;
		} else if (s[i] == ',' || s[i] == '[' || s[i] == '{') {
			c++;
		}
	}
	return c;
}

/* Frame: "KSREC1 T CLEN ULEN CRC\n" + CLEN bytes (zlib) + "\n", where
 * CLEN and ULEN are decimal, CRC the crc32 of the compressed bytes. */
int rec_write_frame(int fd, enum rec_type type, const char *json)
{
	size_t len = strlen(json);
	struct buf b = {0};
	char head[96];

	if (len == 0 || len > REC_MAX_FRAME || json_values(json, len) > REC_MAX_VALUES)
		return -EFBIG;
	uLong ulen = (uLong)len;
	uLongf clen = compressBound(ulen);
	unsigned char *z = xmalloc(clen);
	if (compress2(z, &clen, (const Bytef *)json, ulen, 6) != Z_OK) {
		free(z);
		return -EIO;
	}
	uLong crc = crc32(0, z, (uInt)clen);
	int hl = snprintf(head, sizeof(head), "%s %c %lu %lu %08lx\n", REC_MAGIC, type, (unsigned long)clen,
			  (unsigned long)ulen, (unsigned long)crc);
	buf_append(&b, head, (size_t)hl);
	buf_append(&b, z, clen);
	buf_append(&b, "\n", 1);
	free(z);
	int rc = write_all(fd, b.data, b.len);
	buf_free(&b);
	return rc;
}

#define OPEN_FLAGS (O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

int rec_open_append(const char *path, bool *ret_created)
{
	struct stat st;

	/* Refuse what is not a regular file before opening it: opening a
	 * device can have effects of its own. The checks on the descriptor
	 * below close the window between the two. */
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			return -ELOOP;
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		if (!S_ISREG(st.st_mode))
			return -EINVAL;
	} else if (errno != ENOENT) {
		return -errno;
	}
	for (int tries = 0; tries < 4; tries++) {
		bool created = true;
		/* 0600: the frames hold every process's maps and command lines
		 * of the processes named, which /proc shows only to their owner. */
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | OPEN_FLAGS, 0600);
		if (fd < 0 && errno == EEXIST) {
			created = false;
			fd = open(path, O_RDWR | O_APPEND | OPEN_FLAGS);
		}
		if (fd < 0) {
			if (errno == ENOENT)
				continue; /* removed between the two opens */
			return errno == ENXIO ? -EINVAL : -errno; /* ENXIO: a FIFO without a reader */
		}
		int rc = 0;
		char magic[sizeof(REC_MAGIC)];
		int fl = fcntl(fd, F_GETFL);
		if (fstat(fd, &st) < 0 || fl < 0)
			rc = -errno;
		else if (!S_ISREG(st.st_mode))
			rc = -EINVAL;
		else if (!created && st.st_size > 0 &&
			 (pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
			  memcmp(magic, REC_MAGIC " ", sizeof(magic))))
			rc = -EEXIST; /* appending would damage a file that is not ours */
		else if (fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
			rc = -errno;
		/* One recorder per file: two would interleave their frames
		 * into one segment, two tracers' states blended. The lock
		 * goes with the descriptor, when kstall exits however. */
		else if (flock(fd, LOCK_EX | LOCK_NB) < 0)
			rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (rc < 0) {
			close(fd);
			return rc;
		}
		*ret_created = created;
		return fd;
	}
	return -EAGAIN;
}

/* ---- reading ---- */

/* n bytes at off, fewer only at the end of the file. */
static ssize_t pread_full(int fd, void *p, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)p + got, n - got, (off_t)(off + got));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static bool parse_dec(const char **p, const char *end, uint32_t *ret)
{
	uint64_t v = 0;
	const char *s = *p;
	while (s < end && *s >= '0' && *s <= '9' && s - *p < 10)
		v = v * 10 + (uint64_t)(*s++ - '0');
	if (s == *p || v > UINT32_MAX || (s < end && *s >= '0' && *s <= '9'))
		return false;
	*p = s;
	*ret = (uint32_t)v;
	return true;
}

static bool parse_hex8(const char **p, const char *end, uint32_t *ret)
{
	uint32_t v = 0;
	const char *s = *p;
	for (int i = 0; i < 8; i++, s++) {
		if (s >= end)
			return false;
		int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;
		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*p = s;
	*ret = v;
	return true;
}

#define LINE_MAX_LEN 64 /* "KSREC1 T " + two 10-digit numbers + 8 hex digits + separators */

/* The header line at the start of s (n bytes): its length, or 0. */
static size_t parse_line(const char *s, size_t n, struct rec_frame *fr)
{
	const char *nl = memchr(s, '\n', n), *p = s + sizeof(REC_MAGIC) + 1;
	if (!nl || nl - s < (ptrdiff_t)sizeof(REC_MAGIC) + 1 || memcmp(s, REC_MAGIC " ", sizeof(REC_MAGIC)))
		return 0;
	char type = s[sizeof(REC_MAGIC)];
	if ((type != REC_HEADER && type != REC_INTERVAL) || *p++ != ' ')
		return 0;
	if (!parse_dec(&p, nl, &fr->clen) || p >= nl || *p++ != ' ' || !parse_dec(&p, nl, &fr->ulen) || p >= nl ||
	    *p++ != ' ' || !parse_hex8(&p, nl, &fr->crc) || p != nl)
		return 0;
	fr->type = (enum rec_type)type;
	return (size_t)(nl + 1 - s);
}

/* The byte after the compressed bytes is "\n" and their crc32 is the
 * header's: 1 if so, 0 if not, -errno. Reads in chunks: nothing held. */
static int check_crc(int fd, const struct rec_frame *fr)
{
	unsigned char buf[65536];
	uLong crc = crc32(0, NULL, 0);
	uint64_t pos = fr->data, end = fr->data + fr->clen + 1;

	while (pos < end) {
		size_t want = end - pos < sizeof(buf) ? (size_t)(end - pos) : sizeof(buf);
		ssize_t r = pread_full(fd, buf, want, pos);
		if (r < 0)
			return (int)r;
		if ((size_t)r != want)
			return -ENODATA; /* the file shrank while being read */
		pos += want;
		crc = crc32(crc, buf, (uInt)(pos == end ? want - 1 : want));
		if (pos == end && buf[want - 1] != '\n')
			return 0;
	}
	return crc == fr->crc;
}

int rec_open_fd(int fd, struct rec_file *ret)
{
	struct rec_file f = {.fd = fd, .decode_budget = REC_MAX_DECODED};
	struct stat st;
	uint64_t off = 0;

	int rc = fstat(fd, &st) < 0 ? -errno : !S_ISREG(st.st_mode) ? -EINVAL : 0;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	f.size = (uint64_t)st.st_size;
	if (!f.size)
		snprintf(f.tail_reason, sizeof(f.tail_reason), "the file is empty");
	while (off < f.size) {
		char line[LINE_MAX_LEN];
		struct rec_frame fr = {.offset = off};
		ssize_t got = pread_full(fd, line, sizeof(line), off);
		if (got < 0) {
			rec_file_close(&f);
			return -EIO;
		}
		size_t hl = parse_line(line, (size_t)got, &fr);
		if (!hl) {
			bool partial = (size_t)got < sizeof(line) && !memchr(line, '\n', (size_t)got) &&
				       !memcmp(line, REC_MAGIC, (size_t)got < sizeof(REC_MAGIC) - 1 ? (size_t)got
												 : sizeof(REC_MAGIC) - 1);
			if (partial)
				snprintf(f.tail_reason, sizeof(f.tail_reason),
					 "last frame incomplete (%zd bytes of its header line)", got);
			else
				snprintf(f.tail_reason, sizeof(f.tail_reason), "no frame header at byte %" PRIu64, off);
			break;
		}
		fr.data = off + hl;
		if (f.n >= REC_MAX_FRAMES) {
			snprintf(f.tail_reason, sizeof(f.tail_reason), "more than %u frames", REC_MAX_FRAMES);
			break;
		}
		if (!fr.ulen || !fr.clen) {
			snprintf(f.tail_reason, sizeof(f.tail_reason), "frame at byte %" PRIu64 " is empty", off);
			break;
		}
		if (fr.ulen > REC_MAX_FRAME) {
			snprintf(f.tail_reason, sizeof(f.tail_reason),
				 "frame at byte %" PRIu64 " claims %u bytes, over the %u MiB limit", off, fr.ulen,
				 REC_MAX_FRAME >> 20);
			break;
		}
		if ((uint64_t)fr.ulen > (uint64_t)fr.clen * REC_MAX_RATIO || fr.clen > compressBound(fr.ulen)) {
			snprintf(f.tail_reason, sizeof(f.tail_reason),
				 "frame at byte %" PRIu64 " claims %u bytes from %u compressed: no deflate stream "
				 "does that", off, fr.ulen, fr.clen);
			break;
		}
		if (fr.data + fr.clen + 1 > f.size) {
			snprintf(f.tail_reason, sizeof(f.tail_reason), "last frame incomplete (%" PRIu64 " of %u bytes)",
				 f.size - fr.data, fr.clen + 1);
			break;
		}
		int ok = check_crc(fd, &fr);
		if (ok < 0) {
			rec_file_close(&f);
			return ok; /* -ENODATA: the file shrank while being read */
		}
		if (!ok) {
			snprintf(f.tail_reason, sizeof(f.tail_reason), "frame at byte %" PRIu64 " fails its checksum", off);
			break;
		}
		ARRAY_GROW(f.v, f.n, f.cap);
		f.v[f.n++] = fr;
		off = fr.data + fr.clen + 1;
	}
	f.bytes_ignored = f.size - off;
	*ret = f;
	return 0;
}

void rec_file_close(struct rec_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->v);
	*f = (struct rec_file){.fd = -1};
}

/* Inflate frame fr into out (cap bytes), reading its compressed bytes in
 * chunks. *ret_len: bytes made; *ret_end: the stream ended; *ret_rest:
 * compressed bytes left after its end. 0, -EINVAL (a broken stream, why
 * in f->error) or -EIO. */
static int inflate_frame(struct rec_file *f, const struct rec_frame *fr, unsigned char *out, size_t cap,
			 size_t *ret_len, bool *ret_end, bool *ret_rest)
{
	unsigned char in[16384];
	uint64_t pos = fr->data, end = fr->data + fr->clen;
	z_stream zs = {0};
	int zr = Z_OK, rc = 0;

	if (inflateInit(&zs) != Z_OK) {
		snprintf(f->error, sizeof(f->error), "frame at byte %" PRIu64 ": zlib: out of memory", fr->offset);
		return -ENOMEM;
	}
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	while (zr != Z_STREAM_END && zs.avail_out) {
		if (!zs.avail_in) {
			if (pos == end)
				break;
			size_t want = end - pos < sizeof(in) ? (size_t)(end - pos) : sizeof(in);
			ssize_t r = pread_full(f->fd, in, want, pos);
			if (r != (ssize_t)want) {
				snprintf(f->error, sizeof(f->error), "frame at byte %" PRIu64 ": %s", fr->offset,
					 strerror(r < 0 ? (int)-r : EIO));
				rc = -EIO;
				break;
			}
			pos += want;
			zs.next_in = in;
			zs.avail_in = (uInt)want;
		}
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr == Z_BUF_ERROR && zs.avail_in && zs.avail_out)
			break; /* no progress possible: reported as ending early */
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			snprintf(f->error, sizeof(f->error), "frame at byte %" PRIu64 " does not decompress (%s)",
				 fr->offset, zr == Z_NEED_DICT ? "needs a dictionary" : zr == Z_MEM_ERROR ? "out of memory"
						      : "invalid deflate data");
			rc = -EINVAL;
			break;
		}
	}
	*ret_len = cap - zs.avail_out;
	*ret_end = zr == Z_STREAM_END;
	*ret_rest = zs.avail_in || pos < end;
	inflateEnd(&zs);
	return rc;
}

int rec_frame_decode(struct rec_file *f, size_t i, char **ret_json)
{
	const struct rec_frame *fr = i < f->n ? &f->v[i] : NULL;
	size_t len;
	bool ended, rest;

	if (!fr) {
		snprintf(f->error, sizeof(f->error), "no frame %zu", i);
		return -EINVAL;
	}
	if (fr->ulen > f->decode_budget) {
		snprintf(f->error, sizeof(f->error),
			 "frame at byte %" PRIu64 ": decompressing its %u bytes would pass the limit of %llu MiB "
			 "decompressed per report", fr->offset, fr->ulen, REC_MAX_DECODED >> 20);
		return -E2BIG;
	}
	f->decode_budget -= fr->ulen;
	/* One byte more than claimed: a stream that fills it is longer than
	 * its header says. */
	char *out = xmalloc((size_t)fr->ulen + 1);
	int rc = inflate_frame(f, fr, (unsigned char *)out, (size_t)fr->ulen + 1, &len, &ended, &rest);
	if (rc == 0) {
		rc = -EINVAL;
		if (len > fr->ulen)
			snprintf(f->error, sizeof(f->error),
				 "frame at byte %" PRIu64 " decompresses to more than the %u bytes it claims", fr->offset,
				 fr->ulen);
		else if (!ended)
			snprintf(f->error, sizeof(f->error), "frame at byte %" PRIu64 ": its compressed data ends early",
				 fr->offset);
		else if (len < fr->ulen)
			snprintf(f->error, sizeof(f->error),
				 "frame at byte %" PRIu64 " decompresses to %zu bytes, not the %u it claims", fr->offset, len,
				 fr->ulen);
		else if (rest)
			snprintf(f->error, sizeof(f->error),
				 "frame at byte %" PRIu64 " has bytes after the end of its compressed data", fr->offset);
		else if (memchr(out, '\0', len))
			snprintf(f->error, sizeof(f->error), "frame at byte %" PRIu64 ": its payload holds a NUL byte",
				 fr->offset);
		else if (json_values(out, len) > REC_MAX_VALUES)
			snprintf(f->error, sizeof(f->error), "frame at byte %" PRIu64 " holds more than %u JSON values",
				 fr->offset, REC_MAX_VALUES);
		else
			rc = 0;
	}
	if (rc < 0) {
		free(out);
		return rc;
	}
	out[len] = '\0';
	*ret_json = out;
	return 0;
}

/* A JSON number at the start of s, exactly as JSON writes it (no hex, no
 * inf or nan, which strtod would take). */
static bool json_number(const char *s, const char **ret_end, double *ret)
{
	const char *p = s;
	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	while ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' || *p == '-')
		p++;
	char *end;
	double v = strtod(s, &end);
	if (end != p || !isfinite(v))
		return false;
	*ret_end = p;
	*ret = v;
	return true;
}

static int parse_object(const char *json, const char *what, char *why, size_t whylen, json_object **ret);

int rec_frame_t_mono(struct rec_file *f, size_t i, double *ret)
{
	static const char key[] = "{\"t_mono\":", next[] = ",\"t_real\":";
	char prefix[129];
	size_t len;
	bool ended, rest;

	if (i >= f->n) {
		snprintf(f->error, sizeof(f->error), "no frame %zu", i);
		return -EINVAL;
	}
	/* The first bytes only: a bounded inflate, whatever the frame holds. */
	int rc = inflate_frame(f, &f->v[i], (unsigned char *)prefix, sizeof(prefix) - 1, &len, &ended, &rest);
	if (rc == -EIO)
		return rc;
	prefix[rc == 0 ? len : 0] = '\0';
	const char *end;
	double t;
	if (!strncmp(prefix, key, sizeof(key) - 1) && json_number(prefix + sizeof(key) - 1, &end, &t) &&
	    !strncmp(end, next, sizeof(next) - 1)) {
		*ret = t;
		return 0;
	}
	/* Not in the form record writes: decode it whole. */
	_cleanup_free_ char *json = NULL;
	rc = rec_frame_decode(f, i, &json);
	if (rc < 0)
		return rc;
	json_object *o, *v;
	char why[160];
	if (parse_object(json, "the frame", why, sizeof(why), &o) < 0) {
		snprintf(f->error, sizeof(f->error), "frame at byte %" PRIu64 ": %s", f->v[i].offset, why);
		return -EINVAL;
	}
	rc = 0;
	if (!json_object_object_get_ex(o, "t_mono", &v) ||
	    !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) ||
	    !isfinite(json_object_get_double(v))) {
		snprintf(f->error, sizeof(f->error), "frame at byte %" PRIu64 ": t_mono is missing or not a number",
			 f->v[i].offset);
		rc = -EINVAL;
	} else {
		*ret = json_object_get_double(v);
	}
	json_object_put(o);
	return rc;
}

/* ---- validated JSON ---- */

struct jerr {
	char *why;
	size_t n;
};

static int PRINTF_FMT(2, 3) jbad(struct jerr *e, const char *fmt, ...)
{
	if (e->why && e->n) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->why, e->n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const char *jtype(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a number";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "?";
}

/* One JSON object, the whole of the text, parsed strictly (no NaN, no
 * comments, nothing after it). */
static int parse_object(const char *json, const char *what, char *why, size_t whylen, json_object **ret)
{
	struct jerr e = {why, whylen};
	size_t len = strlen(json);
	struct json_tokener *tok = json_tokener_new();
	json_object *o;

	if (len > INT32_MAX) {
		json_tokener_free(tok);
		return jbad(&e, "%s is too long", what);
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, json, (int)len);
	enum json_tokener_error err = json_tokener_get_error(tok);
	size_t used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!o || err != json_tokener_success) {
		json_object_put(o);
		return jbad(&e, "%s is not JSON (%s)", what,
			    err == json_tokener_continue ? "it ends early" : json_tokener_error_desc(err));
	}
	while (used < len && (json[used] == ' ' || json[used] == '\n' || json[used] == '\t' || json[used] == '\r'))
		used++;
	if (used < len || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return jbad(&e, "%s is not one JSON object", what);
	}
	*ret = o;
	return 0;
}

/* path: where o is ("traced"), or NULL at the top of the frame. */
static int jget(struct jerr *e, json_object *o, const char *path, const char *key, json_object **ret)
{
	if (!json_object_object_get_ex(o, key, ret))
		return path ? jbad(e, "%s.%s is missing", path, key) : jbad(e, "%s is missing", key);
	return 0;
}

static int jnum(struct jerr *e, json_object *v, const char *what, double lo, double hi, double *ret)
{
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return jbad(e, "%s is %s, not a number", what, jtype(v));
	double d = json_object_get_double(v);
	if (!isfinite(d) || d < lo || d > hi)
		return jbad(e, "%s is %g, not %g to %g", what, d, lo, hi);
	*ret = d;
	return 0;
}

static int ju64(struct jerr *e, json_object *v, const char *what, uint64_t hi, uint64_t *ret)
{
	if (!json_object_is_type(v, json_type_int))
		return jbad(e, "%s is %s, not an integer", what, jtype(v));
	if (json_object_get_int64(v) < 0)
		return jbad(e, "%s is negative", what);
	uint64_t u = json_object_get_uint64(v);
	if (u > hi)
		return jbad(e, "%s is %" PRIu64 ", over %" PRIu64, what, u, hi);
	*ret = u;
	return 0;
}

static int ju32(struct jerr *e, json_object *v, const char *what, uint32_t *ret)
{
	uint64_t u;
	int rc = ju64(e, v, what, UINT32_MAX, &u);
	if (rc == 0)
		*ret = (uint32_t)u;
	return rc;
}

/* A string of at most max bytes, no NUL in it, copied into out. */
static int jstr(struct jerr *e, json_object *v, const char *what, size_t max, char *out, size_t outsz)
{
	if (!json_object_is_type(v, json_type_string))
		return jbad(e, "%s is %s, not a string", what, jtype(v));
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);
	if (len > max)
		return jbad(e, "%s is %zu bytes, longer than %zu", what, len, max);
	if (strlen(s) != len)
		return jbad(e, "%s holds a NUL byte", what);
	if (out)
		snprintf(out, outsz, "%s", s);
	return 0;
}

/* 1 to 16 hex digits (an address or a length, kept exact above 2^63). */
static int jhex(struct jerr *e, json_object *v, const char *what, uint64_t *ret)
{
	char s[17];
	int rc = jstr(e, v, what, 16, s, sizeof(s));
	if (rc < 0)
		return rc;
	uint64_t x = 0;
	if (!s[0])
		return jbad(e, "%s is empty, not a hex number", what);
	for (const char *p = s; *p; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
			: *p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;
		if (d < 0)
			return jbad(e, "%s is not a hex number", what);
		x = x << 4 | (uint64_t)d;
	}
	*ret = x;
	return 0;
}

/* An array of lo to hi elements: fields of a tuple, or entries of a list. */
static int jarr(struct jerr *e, json_object *v, const char *what, size_t lo, size_t hi, const char *unit,
		size_t *ret_n)
{
	if (!json_object_is_type(v, json_type_array))
		return jbad(e, "%s is %s, not an array", what, jtype(v));
	size_t n = json_object_array_length(v);
	if (n < lo || n > hi) {
		if (lo == hi)
			return jbad(e, "%s has %zu %s, expected %zu", what, n, unit, lo);
		if (!lo)
			return jbad(e, "%s has %zu %s, more than %zu", what, n, unit, hi);
		return jbad(e, "%s has %zu %s, expected %zu to %zu", what, n, unit, lo, hi);
	}
	*ret_n = n;
	return 0;
}

#define EL(a, i) json_object_array_get_idx((a), (i))

/* Field paths in messages: "traced.hists[3].count". */
#define PATH(buf, ...) (snprintf((buf), sizeof(buf), __VA_ARGS__), (buf))

/* ---- traced <-> JSON ---- */

static json_object *u64(uint64_t v) { return json_object_new_uint64(v); }

char *traced_to_json(const struct traced *t)
{
	json_object *o = json_object_new_object(), *h = json_object_new_array(), *l = json_object_new_array(),
		    *e = json_object_new_array();
	char hex[24];

	json_object_object_add(o, "duration_s", json_object_new_double(t->duration_s));
	json_object_object_add(o, "threshold_ms", json_object_new_double(t->threshold_ms));
	json_object_object_add(o, "groups", u64(t->groups));
	json_object_object_add(o, "nattached", u64(t->nattached));
	json_object *st = json_object_new_array();
	uint64_t stats[] = {t->ringbuf_lost, t->hist_full, t->waits_full, t->lookups_full, t->paths_sampled,
			    t->paths_unsampled, t->paths_not_kept, t->events_not_kept, t->bpf_run_cnt, t->vmops_full,
			    t->vmops_pruned, t->irqs_full};
	for (size_t i = 0; i < ARRAY_SIZE(stats); i++)
		json_object_array_add(st, u64(stats[i]));
	json_object_object_add(o, "stats", st);
	json_object_object_add(o, "has_bpf_stats", json_object_new_boolean(t->has_bpf_stats));
	json_object_object_add(o, "bpf_run_s", json_object_new_double(t->bpf_run_s));
	json_object_object_add(o, "bpf_stats_sampled_s", json_object_new_double(t->bpf_stats_sampled_s));
	json_object_object_add(o, "user_cpu_s", json_object_new_double(t->user_cpu_s));
	for (size_t i = 0; i < t->nhists; i++) {
		const struct tr_hist *x = &t->hists[i];
		json_object *a = json_object_new_array(), *sl = json_object_new_array();
		snprintf(hex, sizeof(hex), "%" PRIx64, x->detail);
		json_object_array_add(a, u64(x->tgid));
		json_object_array_add(a, u64(x->kind));
		json_object_array_add(a, json_object_new_string(hex));
		json_object_array_add(a, json_object_new_string(x->name));
		json_object_array_add(a, json_object_new_string(x->comm));
		uint64_t v[] = {x->count, x->sum_ns, x->max_ns, x->extra1, x->extra2, x->max_tid};
		for (size_t k = 0; k < ARRAY_SIZE(v); k++)
			json_object_array_add(a, u64(v[k]));
		for (int k = 0; k < TR_HIST_SLOTS; k++)
			json_object_array_add(sl, u64(x->slots[k]));
		json_object_array_add(a, sl);
		json_object_array_add(h, a);
	}
	json_object_object_add(o, "hists", h);
	for (size_t i = 0; i < t->nlookups; i++) {
		const struct tr_lookup *x = &t->lookups[i];
		json_object *a = json_object_new_array(), *ps = json_object_new_array();
		json_object_array_add(a, u64(x->tgid));
		json_object_array_add(a, json_object_new_string(x->comm));
		json_object_array_add(a, u64(x->failed));
		json_object_array_add(a, u64(x->calls));
		for (size_t k = 0; k < x->patterns.n; k++) {
			json_object *p = json_object_new_array();
			json_object_array_add(p, json_object_new_string(x->patterns.v[k].example));
			json_object_array_add(p, u64(x->patterns.v[k].n));
			json_object_array_add(ps, p);
		}
		json_object_array_add(a, ps);
		json_object_array_add(l, a);
	}
	json_object_object_add(o, "lookups", l);
	for (size_t i = 0; i < t->nevents; i++) {
		const struct tr_event *x = &t->events[i];
		json_object *a = json_object_new_array();
		snprintf(hex, sizeof(hex), "%" PRIx64, x->detail);
		json_object_array_add(a, u64(x->kind));
		json_object_array_add(a, u64(x->tid));
		json_object_array_add(a, u64(x->tgid));
		json_object_array_add(a, json_object_new_string(x->comm));
		json_object_array_add(a, json_object_new_double(x->t_s));
		json_object_array_add(a, u64(x->dur_ns));
		json_object_array_add(a, json_object_new_string(hex));
		json_object_array_add(a, u64(x->extra1));
		json_object_array_add(a, u64(x->extra2));
		json_object_array_add(a, json_object_new_string(x->name));
		if (x->ml.present) {
			json_object *m = json_object_new_array();
			uint64_t v[] = {x->ml.tid, x->ml.tgid, x->ml.where, x->ml.hold_ns, x->ml.flags, x->ml.map_count,
					x->ml.total_vm};
			for (size_t k = 0; k < ARRAY_SIZE(v); k++)
				json_object_array_add(m, u64(v[k]));
			json_object_array_add(m, json_object_new_string(x->ml.comm));
			json_object_array_add(a, m);
		}
		json_object_array_add(e, a);
	}
	json_object_object_add(o, "events", e);
	char *s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/* The oldest recordings have the first 9 loss counters; each later one
 * was appended (vmops_full, vmops_pruned, irqs_full). The tracer that
 * wrote a shorter list had no such map, so it lost nothing there. */
#define STATS_MIN 9
#define STATS_MAX 12
#define SECONDS_MAX 1e9 /* 31 years: any duration a recording can hold */
#define PATTERN_MAX 4096 /* a sampled path (PATH_MAX) */

static bool kind_known(uint64_t k) { return k >= TR_DIRECT_RECLAIM && k <= TR_ML_HOLD; }

static int hist_from(struct jerr *e, json_object *h, size_t i, struct tr_hist *x)
{
	static const char *const f[] = {"tgid", "kind", "detail", "name", "comm", "count",
					"sum_ns", "max_ns", "extra1", "extra2", "max_tid", "slots"};
	char p[64], w[96];
	size_t n;
	uint64_t kind;
	int rc;

	PATH(p, "traced.hists[%zu]", i);
	if ((rc = jarr(e, h, p, ARRAY_SIZE(f), ARRAY_SIZE(f), "fields", &n)) < 0)
		return rc;
#define F(k) EL(h, k), PATH(w, "%s.%s", p, f[k])
	if ((rc = ju32(e, F(0), &x->tgid)) < 0 || (rc = ju64(e, F(1), UINT32_MAX, &kind)) < 0 ||
	    (rc = jhex(e, F(2), &x->detail)) < 0 || (rc = jstr(e, F(3), sizeof(x->name) - 1, x->name, sizeof(x->name))) < 0 ||
	    (rc = jstr(e, F(4), sizeof(x->comm) - 1, x->comm, sizeof(x->comm))) < 0 ||
	    (rc = ju64(e, F(5), UINT64_MAX, &x->count)) < 0 || (rc = ju64(e, F(6), UINT64_MAX, &x->sum_ns)) < 0 ||
	    (rc = ju64(e, F(7), UINT64_MAX, &x->max_ns)) < 0 || (rc = ju64(e, F(8), UINT64_MAX, &x->extra1)) < 0 ||
	    (rc = ju64(e, F(9), UINT64_MAX, &x->extra2)) < 0 || (rc = ju32(e, F(10), &x->max_tid)) < 0 ||
	    (rc = jarr(e, F(11), TR_HIST_SLOTS, TR_HIST_SLOTS, "entries", &n)) < 0)
		return rc;
#undef F
	if (!kind_known(kind))
		return jbad(e, "%s.kind is %" PRIu64 ", not a kind this kstall knows (%d to %d)", p, kind,
			    TR_DIRECT_RECLAIM, TR_ML_HOLD);
	x->kind = (unsigned)kind;
	json_object *sl = EL(h, 11);
	for (size_t k = 0; k < TR_HIST_SLOTS; k++)
		if ((rc = ju64(e, EL(sl, k), PATH(w, "%s.slots[%zu]", p, k), UINT64_MAX, &x->slots[k])) < 0)
			return rc;
	return 0;
}

static int lookup_from(struct jerr *e, json_object *l, size_t i, struct tr_lookup *x)
{
	char p[64], w[128];
	size_t n, np;
	int rc;

	PATH(p, "traced.lookups[%zu]", i);
	if ((rc = jarr(e, l, p, 5, 5, "fields", &n)) < 0 || (rc = ju32(e, EL(l, 0), PATH(w, "%s.tgid", p), &x->tgid)) < 0 ||
	    (rc = jstr(e, EL(l, 1), PATH(w, "%s.comm", p), sizeof(x->comm) - 1, x->comm, sizeof(x->comm))) < 0 ||
	    (rc = ju64(e, EL(l, 2), PATH(w, "%s.failed", p), UINT64_MAX, &x->failed)) < 0 ||
	    (rc = ju64(e, EL(l, 3), PATH(w, "%s.calls", p), UINT64_MAX, &x->calls)) < 0 ||
	    (rc = jarr(e, EL(l, 4), PATH(w, "%s.patterns", p), 0, PATTERN_SET_MAX, "entries", &np)) < 0)
		return rc;
	json_object *ps = EL(l, 4);
	for (size_t k = 0; k < np; k++) {
		json_object *pt = EL(ps, k);
		char q[96];
		uint64_t cnt;
		PATH(q, "%s.patterns[%zu]", p, k);
		if ((rc = jarr(e, pt, q, 2, 2, "fields", &n)) < 0 ||
		    (rc = jstr(e, EL(pt, 0), PATH(w, "%s.example", q), PATTERN_MAX, NULL, 0)) < 0 ||
		    (rc = ju64(e, EL(pt, 1), PATH(w, "%s.count", q), UINT64_MAX, &cnt)) < 0)
			return rc;
		pattern_set_add(&x->patterns, json_object_get_string(EL(pt, 0)), cnt);
	}
	pattern_set_sort(&x->patterns);
	return 0;
}

static int event_from(struct jerr *e, json_object *v, size_t i, struct tr_event *x)
{
	static const char *const f[] = {"kind", "tid", "tgid", "comm", "t_s", "dur_ns", "detail", "extra1", "extra2",
					"name", "holder"};
	char p[64], w[96];
	size_t n;
	uint64_t kind;
	int rc;

	PATH(p, "traced.events[%zu]", i);
	if ((rc = jarr(e, v, p, ARRAY_SIZE(f) - 1, ARRAY_SIZE(f), "fields", &n)) < 0)
		return rc;
#define F(k) EL(v, k), PATH(w, "%s.%s", p, f[k])
	if ((rc = ju64(e, F(0), UINT32_MAX, &kind)) < 0 || (rc = ju32(e, F(1), &x->tid)) < 0 ||
	    (rc = ju32(e, F(2), &x->tgid)) < 0 || (rc = jstr(e, F(3), sizeof(x->comm) - 1, x->comm, sizeof(x->comm))) < 0 ||
	    (rc = jnum(e, F(4), -SECONDS_MAX, SECONDS_MAX, &x->t_s)) < 0 ||
	    (rc = ju64(e, F(5), UINT64_MAX, &x->dur_ns)) < 0 || (rc = jhex(e, F(6), &x->detail)) < 0 ||
	    (rc = ju64(e, F(7), UINT64_MAX, &x->extra1)) < 0 || (rc = ju64(e, F(8), UINT64_MAX, &x->extra2)) < 0 ||
	    (rc = jstr(e, F(9), sizeof(x->name) - 1, x->name, sizeof(x->name))) < 0)
		return rc;
#undef F
	if (!kind_known(kind))
		return jbad(e, "%s.kind is %" PRIu64 ", not a kind this kstall knows (%d to %d)", p, kind,
			    TR_DIRECT_RECLAIM, TR_ML_HOLD);
	x->kind = (unsigned)kind;
	if (n == ARRAY_SIZE(f) - 1)
		return 0;
	/* The mmap_lock holder, when there was one. */
	static const char *const m[] = {"tid", "tgid", "where", "hold_ns", "flags", "map_count", "total_vm", "comm"};
	json_object *h = EL(v, 10);
	char q[80];
	PATH(q, "%s.holder", p);
	if ((rc = jarr(e, h, q, ARRAY_SIZE(m), ARRAY_SIZE(m), "fields", &n)) < 0)
		return rc;
#define M(k) EL(h, k), PATH(w, "%s.%s", q, m[k])
	if ((rc = ju32(e, M(0), &x->ml.tid)) < 0 || (rc = ju32(e, M(1), &x->ml.tgid)) < 0 ||
	    (rc = ju64(e, M(2), UINT64_MAX, &x->ml.where)) < 0 || (rc = ju64(e, M(3), UINT64_MAX, &x->ml.hold_ns)) < 0 ||
	    (rc = ju64(e, M(4), UINT64_MAX, &x->ml.flags)) < 0 || (rc = ju64(e, M(5), UINT64_MAX, &x->ml.map_count)) < 0 ||
	    (rc = ju64(e, M(6), UINT64_MAX, &x->ml.total_vm)) < 0 ||
	    (rc = jstr(e, M(7), sizeof(x->ml.comm) - 1, x->ml.comm, sizeof(x->ml.comm))) < 0)
		return rc;
#undef M
	x->ml.present = true;
	return 0;
}

static int traced_from_object(json_object *o, struct jerr *e, struct traced *ret)
{
	struct traced t = {0};
	json_object *v;
	uint64_t u;
	size_t n;
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return jbad(e, "traced is %s, not an object", jtype(o));
#define NUM(key, lo, hi, dst) ((rc = jget(e, o, "traced", key, &v)) < 0 || (rc = jnum(e, v, "traced." key, lo, hi, dst)) < 0)
	if (NUM("duration_s", 0, SECONDS_MAX, &t.duration_s) || NUM("threshold_ms", 0, SECONDS_MAX, &t.threshold_ms) ||
	    NUM("bpf_run_s", 0, SECONDS_MAX, &t.bpf_run_s) ||
	    NUM("bpf_stats_sampled_s", 0, SECONDS_MAX, &t.bpf_stats_sampled_s) ||
	    NUM("user_cpu_s", 0, SECONDS_MAX, &t.user_cpu_s))
		goto fail;
#undef NUM
	if ((rc = jget(e, o, "traced", "groups", &v)) < 0 || (rc = ju64(e, v, "traced.groups", UINT_MAX, &u)) < 0)
		goto fail;
	t.groups = (unsigned)u;
	if ((rc = jget(e, o, "traced", "nattached", &v)) < 0 || (rc = ju64(e, v, "traced.nattached", UINT_MAX, &u)) < 0)
		goto fail;
	t.nattached = (unsigned)u;
	if ((rc = jget(e, o, "traced", "has_bpf_stats", &v)) < 0)
		goto fail;
	if (!json_object_is_type(v, json_type_boolean)) {
		rc = jbad(e, "traced.has_bpf_stats is %s, not a boolean", jtype(v));
		goto fail;
	}
	t.has_bpf_stats = json_object_get_boolean(v);

	uint64_t *stats[] = {&t.ringbuf_lost, &t.hist_full, &t.waits_full, &t.lookups_full, &t.paths_sampled,
			     &t.paths_unsampled, &t.paths_not_kept, &t.events_not_kept, &t.bpf_run_cnt, &t.vmops_full,
			     &t.vmops_pruned, &t.irqs_full};
	_Static_assert(ARRAY_SIZE(stats) == STATS_MAX, "a new loss counter: raise STATS_MAX and the docs");
	char w[64];
	if ((rc = jget(e, o, "traced", "stats", &v)) < 0 ||
	    (rc = jarr(e, v, "traced.stats", STATS_MIN, STATS_MAX, "entries", &n)) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if ((rc = ju64(e, EL(v, i), PATH(w, "traced.stats[%zu]", i), UINT64_MAX, stats[i])) < 0)
			goto fail;

	if ((rc = jget(e, o, "traced", "hists", &v)) < 0 || (rc = jarr(e, v, "traced.hists", 0, SIZE_MAX, "entries", &n)) < 0)
		goto fail;
	t.hists = n ? xcalloc(n, sizeof(*t.hists)) : NULL;
	t.caphists = n;
	for (size_t i = 0; i < n; i++, t.nhists++)
		if ((rc = hist_from(e, EL(v, i), i, &t.hists[i])) < 0)
			goto fail;

	if ((rc = jget(e, o, "traced", "lookups", &v)) < 0 ||
	    (rc = jarr(e, v, "traced.lookups", 0, SIZE_MAX, "entries", &n)) < 0)
		goto fail;
	t.lookups = n ? xcalloc(n, sizeof(*t.lookups)) : NULL;
	t.caplookups = n;
	for (size_t i = 0; i < n; i++) {
		t.nlookups++; /* counted first: its patterns are freed on failure */
		if ((rc = lookup_from(e, EL(v, i), i, &t.lookups[i])) < 0)
			goto fail;
	}

	if ((rc = jget(e, o, "traced", "events", &v)) < 0 ||
	    (rc = jarr(e, v, "traced.events", 0, TR_MAX_EVENTS, "entries", &n)) < 0)
		goto fail;
	t.events = n ? xcalloc(n, sizeof(*t.events)) : NULL;
	t.capevents = n;
	for (size_t i = 0; i < n; i++, t.nevents++)
		if ((rc = event_from(e, EL(v, i), i, &t.events[i])) < 0)
			goto fail;
	*ret = t;
	return 0;
fail:
	traced_free(&t);
	return rc;
}

int traced_from_json(const char *json, char *why, size_t whylen, struct traced *ret)
{
	struct jerr e = {why, whylen};
	json_object *o;
	int rc = parse_object(json, "traced", why, whylen, &o);

	if (rc < 0)
		return rc;
	rc = traced_from_object(o, &e, ret);
	json_object_put(o);
	return rc;
}

/* ---- frames ---- */

int rec_header_parse(const char *json, char *why, size_t whylen, struct rec_header *ret)
{
	struct jerr e = {why, whylen};
	json_object *o, *v;
	uint64_t format, hz;
	double interval;
	int rc = parse_object(json, "the header", why, whylen, &o);

	if (rc < 0)
		return rc;
	if ((rc = jget(&e, o, "header", "format", &v)) < 0 || (rc = ju64(&e, v, "header.format", UINT32_MAX, &format)) < 0)
		goto out;
	if (format != 1) {
		rc = jbad(&e, "header.format is %" PRIu64 ": this kstall reads format 1", format);
		goto out;
	}
	/* record's --interval is 0.05 to 3600 s; USER_HZ is 100 on every
	 * architecture Linux has today (a few had 1024). */
	if ((rc = jget(&e, o, "header", "interval_s", &v)) < 0 ||
	    (rc = jnum(&e, v, "header.interval_s", 0.001, 86400, &interval)) < 0 ||
	    (rc = jget(&e, o, "header", "user_hz", &v)) < 0 || (rc = ju64(&e, v, "header.user_hz", 100000, &hz)) < 0)
		goto out;
	if (!hz) {
		rc = jbad(&e, "header.user_hz is 0");
		goto out;
	}
	*ret = (struct rec_header){.interval_s = interval, .user_hz = (unsigned)hz};
out:
	json_object_put(o);
	return rc;
}

static bool path_inside(const char *path)
{
	size_t len = strlen(path);
	if (!len || len >= 4096 || path[0] == '/')
		return false;
	for (const char *p = path;;) {
		const char *s = strchr(p, '/');
		size_t n = s ? (size_t)(s - p) : strlen(p);
		if (n == 0 || n > 255 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!s)
			return true;
		p = s + 1;
	}
}

/* {relative path: content}: each key a path that stays inside the tree
 * the report rebuilds (no "..", ".", empty or absolute part), each value
 * a string. Keys are not quoted in messages: they came from elsewhere. */
static int files_check(struct jerr *e, json_object *files, const char *what)
{
	size_t i = 0;

	if (!json_object_is_type(files, json_type_object))
		return jbad(e, "%s is %s, not an object", what, jtype(files));
	json_object_object_foreach(files, path, val) {
		if (!path_inside(path))
			return jbad(e, "%s: entry %zu is not a relative path inside the tree", what, i);
		if (!json_object_is_type(val, json_type_string))
			return jbad(e, "%s: entry %zu is %s, not a string", what, i, jtype(val));
		i++;
	}
	return 0;
}

int rec_interval_parse(const char *json, char *why, size_t whylen, struct rec_interval *ret)
{
	struct jerr e = {why, whylen};
	struct rec_interval iv = {0};
	json_object *v;
	int rc = parse_object(json, "the frame", why, whylen, &iv.root);

	if (rc < 0)
		return rc;
	if ((rc = jget(&e, iv.root, NULL, "t_mono", &v)) < 0 ||
	    (rc = jnum(&e, v, "t_mono", 0, SECONDS_MAX * 10, &iv.t_mono)) < 0 ||
	    (rc = jget(&e, iv.root, NULL, "t_real", &v)) < 0 ||
	    (rc = jnum(&e, v, "t_real", 0, SECONDS_MAX * 10, &iv.t_real)) < 0 ||
	    (rc = jget(&e, iv.root, NULL, "host_files", &iv.host_files)) < 0 ||
	    (rc = files_check(&e, iv.host_files, "host_files")) < 0 ||
	    (rc = jget(&e, iv.root, NULL, "files", &iv.files)) < 0 ||
	    (rc = files_check(&e, iv.files, "files")) < 0 || (rc = jget(&e, iv.root, NULL, "traced", &v)) < 0 ||
	    (rc = traced_from_object(v, &e, &iv.traced)) < 0) {
		json_object_put(iv.root);
		return rc;
	}
	*ret = iv;
	return 0;
}

void rec_interval_free(struct rec_interval *iv)
{
	traced_free(&iv->traced);
	json_object_put(iv->root);
	*iv = (struct rec_interval){0};
}

static uint64_t sub(uint64_t b, uint64_t a) { return b > a ? b - a : 0; }

void traced_diff(const struct traced *a, const struct traced *b, struct traced *ret)
{
	struct traced t = *b;
	t.hists = NULL, t.nhists = t.caphists = 0;
	t.lookups = NULL, t.nlookups = t.caplookups = 0;
	t.events = NULL, t.nevents = t.capevents = 0;
	t.duration_s = b->duration_s - a->duration_s;
	t.ringbuf_lost = sub(b->ringbuf_lost, a->ringbuf_lost);
	t.hist_full = sub(b->hist_full, a->hist_full);
	t.waits_full = sub(b->waits_full, a->waits_full);
	t.lookups_full = sub(b->lookups_full, a->lookups_full);
	t.paths_sampled = sub(b->paths_sampled, a->paths_sampled);
	t.paths_unsampled = sub(b->paths_unsampled, a->paths_unsampled);
	t.vmops_full = sub(b->vmops_full, a->vmops_full);
	t.vmops_pruned = sub(b->vmops_pruned, a->vmops_pruned);
	t.irqs_full = sub(b->irqs_full, a->irqs_full);
	t.paths_not_kept = sub(b->paths_not_kept, a->paths_not_kept);
	t.events_not_kept = sub(b->events_not_kept, a->events_not_kept);
	t.bpf_run_s = b->bpf_run_s > a->bpf_run_s ? b->bpf_run_s - a->bpf_run_s : 0;
	t.bpf_run_cnt = sub(b->bpf_run_cnt, a->bpf_run_cnt);
	t.user_cpu_s = b->user_cpu_s - a->user_cpu_s;

	for (size_t i = 0; i < b->nevents; i++)
		if (b->events[i].t_s > a->duration_s) {
			ARRAY_GROW(t.events, t.nevents, t.capevents);
			t.events[t.nevents] = b->events[i];
			t.events[t.nevents++].t_s -= a->duration_s;
		}
	for (size_t i = 0; i < b->nhists; i++) {
		struct tr_hist x = b->hists[i];
		const struct tr_hist *p = NULL;
		for (size_t j = 0; j < a->nhists && !p; j++)
			if (a->hists[j].tgid == x.tgid && a->hists[j].kind == x.kind && a->hists[j].detail == x.detail)
				p = &a->hists[j];
		if (p) {
			x.count = sub(x.count, p->count);
			x.sum_ns = sub(x.sum_ns, p->sum_ns);
			x.extra1 = sub(x.extra1, p->extra1);
			x.extra2 = sub(x.extra2, p->extra2);
			for (int k = 0; k < TR_HIST_SLOTS; k++)
				x.slots[k] = sub(x.slots[k], p->slots[k]);
			if (!x.count)
				continue;
			/* The cumulative worst is the window's only if it grew;
			 * otherwise bound it by the window's events and its
			 * highest bucket. */
			if (x.max_ns <= p->max_ns) {
				uint64_t m = 0;
				for (size_t k = 0; k < t.nevents; k++)
					if (t.events[k].tgid == x.tgid && t.events[k].kind == x.kind &&
					    t.events[k].detail == x.detail && t.events[k].dur_ns > m)
						m = t.events[k].dur_ns;
				for (int k = TR_HIST_SLOTS - 1; k >= 0 && !m; k--)
					if (x.slots[k])
						m = (2ull << k) * 1000; /* upper edge, us -> ns */
				x.max_ns = m < p->max_ns ? m : p->max_ns;
			}
		}
		ARRAY_GROW(t.hists, t.nhists, t.caphists);
		t.hists[t.nhists++] = x;
	}
	for (size_t i = 0; i < b->nlookups; i++) {
		const struct tr_lookup *x = &b->lookups[i], *p = NULL;
		for (size_t j = 0; j < a->nlookups && !p; j++)
			if (a->lookups[j].tgid == x->tgid)
				p = &a->lookups[j];
		uint64_t failed = p ? sub(x->failed, p->failed) : x->failed;
		uint64_t calls = p ? sub(x->calls, p->calls) : x->calls;
		if (!calls)
			continue;
		ARRAY_GROW(t.lookups, t.nlookups, t.caplookups);
		struct tr_lookup *y = &t.lookups[t.nlookups++];
		*y = (struct tr_lookup){.tgid = x->tgid, .failed = failed, .calls = calls};
		memcpy(y->comm, x->comm, sizeof(y->comm));
		for (size_t k = 0; k < x->patterns.n; k++) {
			uint64_t n = x->patterns.v[k].n;
			if (p)
				for (size_t m = 0; m < p->patterns.n; m++)
					if (!strcmp(p->patterns.v[m].pattern, x->patterns.v[k].pattern))
						n = sub(n, p->patterns.v[m].n);
			if (n)
				pattern_set_add(&y->patterns, x->patterns.v[k].example, n);
		}
		pattern_set_sort(&y->patterns);
	}
	*ret = t;
}

char *files_to_json(const struct capture_entry *e, size_t n, size_t from)
{
	json_object *o = json_object_new_object();
	for (size_t i = from; i < n; i++)
		json_object_object_add(o, e[i].path, json_object_new_string_len(e[i].data, (int)e[i].len));
	char *s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

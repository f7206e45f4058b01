#include "recfile.h"
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <zlib.h>

/* JSON values in text, counted the cheap way, in units of what json-c
 * spends on a number (about 72 bytes, json-c 0.16): one per ',' outside
 * strings, plus one; an array costs two (152 bytes empty) and an object
 * eleven (792 bytes empty). This bounds what a frame costs once parsed,
 * whatever its length and whatever it is made of. */
#define JSON_ARRAY_COST 2
#define JSON_OBJECT_COST 11
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
		} else if (s[i] == ',') {
			c++;
		} else if (s[i] == '[') {
			c += JSON_ARRAY_COST;
		} else if (s[i] == '{') {
			c += JSON_OBJECT_COST;
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

/* Format 2 writes every counter (TRACED_COUNTERS) and every field of a
 * record (the lists below) under its name, and requires each one.
 * Format 1 wrote records as arrays, their fields in the lists' order, and
 * the counters that are not at the top (TOP) as the array "stats", in
 * their v1 order. Its oldest recordings have the first 9 of those; each
 * later one was appended (vmops_full, vmops_pruned, irqs_full): the
 * tracer that wrote a shorter list had no such map, so it lost nothing
 * there, and they read as 0. */
#define TOP (-1)
#define STATS_MIN 9
#define TRC_IN_STATS(type, name, diff, v1, ...) +((v1) != TOP)
#define STATS_MAX (0 TRACED_COUNTERS(TRC_IN_STATS))
#define SECONDS_MAX 1e9  /* 31 years: any duration a recording can hold */
#define PATTERN_MAX 4096 /* a sampled path (PATH_MAX) */

/* X(field, type): the fields of each record. */
#define HIST_FIELDS(X) \
	X(tgid, U32) X(kind, KIND) X(detail, HEX) X(name, STR) X(comm, STR) X(count, U64) X(sum_ns, U64) \
	X(max_ns, U64) X(extra1, U64) X(extra2, U64) X(max_tid, U32) X(slots, SLOTS)
/* and from format 4: how many of count were not timed (older formats:
 * none) */
#define HIST_FIELDS4(X) X(untimed, U64)
#define LOOKUP_FIELDS(X) X(tgid, U32) X(comm, STR) X(failed, U64) X(calls, U64) X(patterns, PATTERNS)
/* and from format 3: the parent, the group of exited processes, when
 * lookups failed and /proc/slabinfo was opened (older formats: unknown) */
#define LOOKUP_FIELDS3(X) \
	X(ppid, U32) X(pcomm, STR) X(group, BOOL) X(procs, U64) X(first_s, TIME) X(last_s, TIME) \
	X(slab_opens, U64) X(slab_procs, U64) X(slab_first_s, TIME) X(slab_last_s, TIME) X(slab_gap_max_s, TIME)
/* and "holder", when there was one */
#define EVENT_FIELDS(X) \
	X(kind, KIND) X(tid, U32) X(tgid, U32) X(comm, STR) X(t_s, TIME) X(dur_ns, U64) X(detail, HEX) \
	X(extra1, U64) X(extra2, U64) X(name, STR)
#define HOLDER_FIELDS(X) \
	X(tid, U32) X(tgid, U32) X(where, U64) X(hold_ns, U64) X(flags, U64) X(map_count, U64) X(total_vm, U64) \
	X(comm, STR)
#define NFIELDS_ONE(f, type) +1
#define NFIELDS(list) (0 list(NFIELDS_ONE))

static json_object *u64(uint64_t v) { return json_object_new_uint64(v); }

/* Keys are literals, each written once: json-c need neither look them up
 * nor copy them (a tenth of the writer's time, for 50,000 histograms). */
#define ADD(o, key, v) json_object_object_add_ex(o, key, v, JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_KEY_IS_CONSTANT)

/* 1 to 16 hex digits: an address or a length, exact above 2^63. */
static json_object *hex(uint64_t v)
{
	char s[24];
	snprintf(s, sizeof(s), "%" PRIx64, v);
	return json_object_new_string(s);
}

static json_object *slots_json(const uint64_t *slots)
{
	json_object *a = json_object_new_array();
	for (int k = 0; k < TR_HIST_SLOTS; k++)
		json_object_array_add(a, u64(slots[k]));
	return a;
}

static json_object *patterns_json(const struct pattern_set *s)
{
	json_object *a = json_object_new_array();
	for (size_t k = 0; k < s->n; k++) {
		json_object *p = json_object_new_object();
		ADD(p, "example", json_object_new_string(s->v[k].example));
		ADD(p, "count", u64(s->v[k].n));
		json_object_array_add(a, p);
	}
	return a;
}

#define PUT_U64(v) u64(v)
#define PUT_UINT(v) u64(v)
#define PUT_U32(v) u64(v)
#define PUT_KIND(v) u64(v)
#define PUT_HEX(v) hex(v)
#define PUT_STR(v) json_object_new_string(v)
#define PUT_DBL(v) json_object_new_double(v)
#define PUT_TIME(v) json_object_new_double(v)
#define PUT_BOOL(v) json_object_new_boolean(v)
#define PUT_SLOTS(v) slots_json(v)
#define PUT_PATTERNS(v) patterns_json(&(v))
#define PUT(f, type) ADD(o, #f, PUT_##type(x->f));
#define PUT_COUNTER(type, name, ...) ADD(o, #name, PUT_##type(x->name));

static json_object *hist_json(const struct tr_hist *x)
{
	json_object *o = json_object_new_object();
	HIST_FIELDS(PUT)
	HIST_FIELDS4(PUT)
	return o;
}

static json_object *lookup_json(const struct tr_lookup *x)
{
	json_object *o = json_object_new_object();
	LOOKUP_FIELDS(PUT)
	LOOKUP_FIELDS3(PUT)
	return o;
}

static json_object *holder_json(const struct tr_ml_holder *x)
{
	json_object *o = json_object_new_object();
	HOLDER_FIELDS(PUT)
	return o;
}

static json_object *event_json(const struct tr_event *x)
{
	json_object *o = json_object_new_object();
	EVENT_FIELDS(PUT)
	if (x->ml.present)
		json_object_object_add(o, "holder", holder_json(&x->ml));
	return o;
}

char *traced_to_json(const struct traced *x)
{
	json_object *o = json_object_new_object(), *h = json_object_new_array(), *l = json_object_new_array(),
		    *e = json_object_new_array();

	TRACED_COUNTERS(PUT_COUNTER)
	for (size_t i = 0; i < x->nhists; i++)
		json_object_array_add(h, hist_json(&x->hists[i]));
	json_object_object_add(o, "hists", h);
	for (size_t i = 0; i < x->nlookups; i++)
		json_object_array_add(l, lookup_json(&x->lookups[i]));
	json_object_object_add(o, "lookups", l);
	for (size_t i = 0; i < x->nevents; i++)
		json_object_array_add(e, event_json(&x->events[i]));
	json_object_object_add(o, "events", e);
	char *s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

static bool kind_known(uint64_t k) { return k >= TR_DIRECT_RECLAIM && k < TR_KIND_END; }

/* A record being read: an array (format 1) or an object, at path. */
struct jrec {
	struct jerr *e;
	json_object *o;
	unsigned format;
	const char *path;
	size_t next; /* format 1: the index of the next field */
};

/* v as a record of nfields fields (format 1: an array of nfields, or up
 * to nmax with the optional ones; later, an object). */
static int jrec_open(struct jerr *e, json_object *v, unsigned format, const char *path, size_t nfields, size_t nmax,
		     struct jrec *ret)
{
	size_t n;
	int rc = 0;

	if (format == 1)
		rc = jarr(e, v, path, nfields, nmax, "fields", &n);
	else if (!json_object_is_type(v, json_type_object))
		rc = jbad(e, "%s is %s, not an object", path, jtype(v));
	*ret = (struct jrec){e, v, format, path, 0};
	return rc;
}

/* The record's next field, name (format 1: the next element; its arity
 * checked already): the value and its path in what. */
static int jrec_field(struct jrec *r, const char *name, char *what, size_t whatsz, json_object **ret)
{
	snprintf(what, whatsz, "%s.%s", r->path, name);
	if (r->format == 1) {
		*ret = EL(r->o, r->next++);
		return 0;
	}
	if (!json_object_object_get_ex(r->o, name, ret))
		return jbad(r->e, "%s is missing", what);
	return 0;
}

#define FIELD_BEGIN(r, name) \
	char w[160]; \
	json_object *v; \
	int rc = jrec_field(r, name, w, sizeof(w), &v); \
	if (rc < 0) \
		return rc

static int get_u64(struct jrec *r, const char *name, uint64_t *ret)
{
	FIELD_BEGIN(r, name);
	return ju64(r->e, v, w, UINT64_MAX, ret);
}

static int get_u32(struct jrec *r, const char *name, uint32_t *ret)
{
	FIELD_BEGIN(r, name);
	return ju32(r->e, v, w, ret);
}

static int get_kind(struct jrec *r, const char *name, unsigned *ret)
{
	uint64_t k;
	FIELD_BEGIN(r, name);
	if ((rc = ju64(r->e, v, w, UINT32_MAX, &k)) < 0)
		return rc;
	if (!kind_known(k))
		return jbad(r->e, "%s is %" PRIu64 ", not a kind this kstall knows (%d to %d)", w, k, TR_DIRECT_RECLAIM,
			    TR_KIND_END - 1);
	*ret = (unsigned)k;
	return 0;
}

static int get_hex(struct jrec *r, const char *name, uint64_t *ret)
{
	FIELD_BEGIN(r, name);
	return jhex(r->e, v, w, ret);
}

static int get_str(struct jrec *r, const char *name, char *out, size_t outsz)
{
	FIELD_BEGIN(r, name);
	return jstr(r->e, v, w, outsz - 1, out, outsz);
}

static int get_bool(struct jrec *r, const char *name, bool *ret)
{
	FIELD_BEGIN(r, name);
	if (!json_object_is_type(v, json_type_boolean))
		return jbad(r->e, "%s is %s, not a boolean", w, jtype(v));
	*ret = json_object_get_boolean(v);
	return 0;
}

static int get_time(struct jrec *r, const char *name, double *ret)
{
	FIELD_BEGIN(r, name);
	return jnum(r->e, v, w, -SECONDS_MAX, SECONDS_MAX, ret);
}

static int get_slots(struct jrec *r, const char *name, uint64_t *slots)
{
	char ws[176];
	size_t n;
	FIELD_BEGIN(r, name);
	if ((rc = jarr(r->e, v, w, TR_HIST_SLOTS, TR_HIST_SLOTS, "entries", &n)) < 0)
		return rc;
	for (size_t k = 0; k < TR_HIST_SLOTS; k++)
		if ((rc = ju64(r->e, EL(v, k), PATH(ws, "%s[%zu]", w, k), UINT64_MAX, &slots[k])) < 0)
			return rc;
	return 0;
}

/* [{example, count}] (format 1: [example, count]), into s. */
static int get_patterns(struct jrec *r, const char *name, struct pattern_set *s)
{
	size_t n;
	FIELD_BEGIN(r, name);
	if ((rc = jarr(r->e, v, w, 0, PATTERN_SET_MAX, "entries", &n)) < 0)
		return rc;
	for (size_t k = 0; k < n; k++) {
		char q[192], wq[208];
		struct jrec pr;
		json_object *ex;
		uint64_t cnt;
		if ((rc = jrec_open(r->e, EL(v, k), r->format, PATH(q, "%s[%zu]", w, k), 2, 2, &pr)) < 0 ||
		    (rc = jrec_field(&pr, "example", wq, sizeof(wq), &ex)) < 0 ||
		    (rc = jstr(r->e, ex, wq, PATTERN_MAX, NULL, 0)) < 0 || (rc = get_u64(&pr, "count", &cnt)) < 0)
			return rc;
		pattern_set_add(s, json_object_get_string(ex), cnt);
	}
	pattern_set_sort(s);
	return 0;
}

#define GET_U64(r, n, f) get_u64(r, n, &(f))
#define GET_U32(r, n, f) get_u32(r, n, &(f))
#define GET_KIND(r, n, f) get_kind(r, n, &(f))
#define GET_HEX(r, n, f) get_hex(r, n, &(f))
#define GET_STR(r, n, f) get_str(r, n, f, sizeof(f))
#define GET_TIME(r, n, f) get_time(r, n, &(f))
#define GET_BOOL(r, n, f) get_bool(r, n, &(f))
#define GET_SLOTS(r, n, f) get_slots(r, n, f)
#define GET_PATTERNS(r, n, f) get_patterns(r, n, &(f))
#define GET(f, type) \
	if ((rc = GET_##type(&r, #f, x->f)) < 0) \
		return rc;

static int hist_from(struct jerr *e, json_object *v, unsigned format, size_t i, struct tr_hist *x)
{
	char p[64];
	struct jrec r;
	int rc = jrec_open(e, v, format, PATH(p, "traced.hists[%zu]", i), NFIELDS(HIST_FIELDS), NFIELDS(HIST_FIELDS), &r);

	if (rc < 0)
		return rc;
	HIST_FIELDS(GET)
	/* Before format 4 every call counted was timed. */
	if (format < 4)
		return 0;
	HIST_FIELDS4(GET)
	if (x->untimed > x->count)
		return jbad(e, "%s.untimed is %" PRIu64 ", more than its count (%" PRIu64 ")", p, x->untimed, x->count);
	return 0;
}

static int lookup_from(struct jerr *e, json_object *v, unsigned format, size_t i, struct tr_lookup *x)
{
	char p[64];
	struct jrec r;
	int rc = jrec_open(e, v, format, PATH(p, "traced.lookups[%zu]", i), NFIELDS(LOOKUP_FIELDS),
			   NFIELDS(LOOKUP_FIELDS), &r);

	if (rc < 0)
		return rc;
	LOOKUP_FIELDS(GET)
	/* Before format 3: one process each, and the rest unknown. */
	x->procs = 1;
	if (format < 3)
		return 0;
	LOOKUP_FIELDS3(GET)
	x->known = true;
	return 0;
}

static int holder_from(struct jerr *e, json_object *v, unsigned format, const char *path, struct tr_ml_holder *x)
{
	char p[80];
	struct jrec r;
	int rc = jrec_open(e, v, format, PATH(p, "%s.holder", path), NFIELDS(HOLDER_FIELDS), NFIELDS(HOLDER_FIELDS), &r);

	if (rc < 0)
		return rc;
	HOLDER_FIELDS(GET)
	x->present = true;
	return 0;
}

static int event_from(struct jerr *e, json_object *v, unsigned format, size_t i, struct tr_event *x)
{
	char p[64];
	struct jrec r;
	json_object *h = NULL;
	int rc = jrec_open(e, v, format, PATH(p, "traced.events[%zu]", i), NFIELDS(EVENT_FIELDS),
			   NFIELDS(EVENT_FIELDS) + 1, &r);

	if (rc < 0)
		return rc;
	EVENT_FIELDS(GET)
	/* The mmap_lock holder, when there was one. */
	if (format == 1)
		h = json_object_array_length(v) > NFIELDS(EVENT_FIELDS) ? EL(v, NFIELDS(EVENT_FIELDS)) : NULL;
	else
		json_object_object_get_ex(v, "holder", &h);
	return h ? holder_from(e, h, format, p, &x->ml) : 0;
}

/* A counter under its own key. */
static int counter_u64(struct jerr *e, json_object *o, const char *key, uint64_t *ret)
{
	char w[64];
	json_object *v;
	int rc = jget(e, o, "traced", key, &v);
	return rc < 0 ? rc : ju64(e, v, PATH(w, "traced.%s", key), UINT64_MAX, ret);
}

static int counter_uint(struct jerr *e, json_object *o, const char *key, unsigned *ret)
{
	char w[64];
	json_object *v;
	uint64_t u;
	int rc = jget(e, o, "traced", key, &v);
	if (rc < 0 || (rc = ju64(e, v, PATH(w, "traced.%s", key), UINT_MAX, &u)) < 0)
		return rc;
	*ret = (unsigned)u;
	return 0;
}

static int counter_dbl(struct jerr *e, json_object *o, const char *key, double *ret)
{
	char w[64];
	json_object *v;
	int rc = jget(e, o, "traced", key, &v);
	return rc < 0 ? rc : jnum(e, v, PATH(w, "traced.%s", key), 0, SECONDS_MAX, ret);
}

static int counter_bool(struct jerr *e, json_object *o, const char *key, bool *ret)
{
	json_object *v;
	int rc = jget(e, o, "traced", key, &v);
	if (rc < 0)
		return rc;
	if (!json_object_is_type(v, json_type_boolean))
		return jbad(e, "traced.%s is %s, not a boolean", key, jtype(v));
	*ret = json_object_get_boolean(v);
	return 0;
}

#define COUNTER_U64 counter_u64
#define COUNTER_UINT counter_uint
#define COUNTER_DBL counter_dbl
#define COUNTER_BOOL counter_bool
#define GET_COUNTER(type, name, diff, v1, ...) \
	if ((format > 1 || (v1) == TOP) && (rc = COUNTER_##type(e, o, #name, &t->name)) < 0) \
		return rc;
/* Format 1's "stats": integers only. */
#define GET_STAT(type, name, diff, v1, ...) GET_STAT_##type(name, v1)
#define GET_STAT_U64(name, v1) \
	if ((v1) != TOP && (size_t)(v1) < n && \
	    (rc = ju64(e, EL(st, (size_t)(v1)), PATH(w, "traced.stats[%d]", (int)(v1)), UINT64_MAX, &t->name)) < 0) \
		return rc;
#define GET_STAT_NONE(name, v1) _Static_assert((v1) == TOP, #name " was not in format 1's stats");
#define GET_STAT_UINT GET_STAT_NONE
#define GET_STAT_DBL GET_STAT_NONE
#define GET_STAT_BOOL GET_STAT_NONE

static int counters_from(struct jerr *e, json_object *o, unsigned format, struct traced *t)
{
	json_object *st;
	char w[64];
	size_t n;
	int rc;

	TRACED_COUNTERS(GET_COUNTER)
	if (format > 1)
		return 0;
	if ((rc = jget(e, o, "traced", "stats", &st)) < 0 ||
	    (rc = jarr(e, st, "traced.stats", STATS_MIN, STATS_MAX, "entries", &n)) < 0)
		return rc;
	TRACED_COUNTERS(GET_STAT)
	return 0;
}

/* key: an array of at most max entries, each read by from into a new
 * array of size bytes each (*n counting those read, to be freed). */
#define LIST_FROM(key, max, arr, n, cap, from) \
	do { \
		size_t len_; \
		if ((rc = jget(e, o, "traced", key, &v)) < 0 || \
		    (rc = jarr(e, v, "traced." key, 0, max, "entries", &len_)) < 0) \
			goto fail; \
		arr = len_ ? xcalloc(len_, sizeof(*arr)) : NULL; \
		cap = len_; \
		for (size_t i = 0; i < len_; i++) { \
			n++; /* counted first: what it holds is freed on failure */ \
			if ((rc = from(e, EL(v, i), format, i, &arr[i])) < 0) \
				goto fail; \
		} \
	} while (0)

static int traced_from_object(json_object *o, unsigned format, struct jerr *e, struct traced *ret)
{
	struct traced t = {0};
	json_object *v;
	int rc;

	if (format < 1 || format > REC_FORMAT)
		return jbad(e, "no recording format %u: this kstall reads format 1 to %d", format, REC_FORMAT);
	if (!json_object_is_type(o, json_type_object))
		return jbad(e, "traced is %s, not an object", jtype(o));
	if ((rc = counters_from(e, o, format, &t)) < 0)
		goto fail;
	LIST_FROM("hists", SIZE_MAX, t.hists, t.nhists, t.caphists, hist_from);
	LIST_FROM("lookups", SIZE_MAX, t.lookups, t.nlookups, t.caplookups, lookup_from);
	LIST_FROM("events", TR_MAX_EVENTS, t.events, t.nevents, t.capevents, event_from);
	*ret = t;
	return 0;
fail:
	traced_free(&t);
	return rc;
}

int traced_from_json(const char *json, unsigned format, char *why, size_t whylen, struct traced *ret)
{
	struct jerr e = {why, whylen};
	json_object *o;
	int rc = parse_object(json, "traced", why, whylen, &o);

	if (rc < 0)
		return rc;
	rc = traced_from_object(o, format, &e, ret);
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
	if (format < 1 || format > REC_FORMAT) {
		rc = jbad(&e, "header.format is %" PRIu64 ": this kstall reads format 1 to %d", format, REC_FORMAT);
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
	*ret = (struct rec_header){.format = (unsigned)format, .interval_s = interval, .user_hz = (unsigned)hz};
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

int rec_interval_parse(const char *json, unsigned format, char *why, size_t whylen, struct rec_interval *ret)
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
	    (rc = traced_from_object(v, format, &e, &iv.traced)) < 0) {
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

char *files_to_json(const struct capture_entry *e, size_t n, size_t from)
{
	json_object *o = json_object_new_object();
	for (size_t i = from; i < n; i++)
		json_object_object_add(o, e[i].path, json_object_new_string_len(e[i].data, (int)e[i].len));
	char *s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

#include "util.h"

#include <ctype.h>

#include <time.h>

static void oom(size_t n)
{
	fprintf(stderr, "kstall: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p)
		oom(n * sz);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		oom(0);
	va_end(ap);
	return p;
}

void buf_reserve(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
	b->data[b->len] = '\0'; /* always a C string, even when empty */
}

void buf_append(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static double ts_seconds(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double now_monotonic(void) { return ts_seconds(CLOCK_MONOTONIC); }
double now_realtime(void) { return ts_seconds(CLOCK_REALTIME); }

void format_utc(double t, char *out, size_t outlen)
{
	struct tm tm;
	char tmp[32];

	/* A time from elsewhere (a snapshot's meta) may be anything. */
	if (!(t >= 0 && t < 253402300800.0)) { /* before year 10000 */
		snprintf(out, outlen, "unknown");
		return;
	}
	time_t s = (time_t)t;
	if (!gmtime_r(&s, &tm)) {
		snprintf(out, outlen, "unknown");
		return;
	}
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, outlen, "%s.%03dZ", tmp, (int)((t - (double)s) * 1000) % 1000);
}

char *str_squeeze_blanks(char *s)
{
	char *o = s;
	for (const char *c = s; *c; c++)
		if (!isspace((unsigned char)*c) || (o > s && o[-1] != ' '))
			*o++ = isspace((unsigned char)*c) ? ' ' : *c;
	while (o > s && o[-1] == ' ')
		o--;
	*o = 0;
	return s;
}

bool str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

char *fmt_bytes(double b, char *out, size_t n)
{
	static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	int i = 0;
	while (b >= 1024 && i < 5) {
		b /= 1024;
		i++;
	}
	snprintf(out, n, i ? "%.1f %s" : "%.0f %s", b, u[i]);
	return out;
}

char *fmt_count(double v, char *out, size_t n)
{
	if (v >= 1e9)
		snprintf(out, n, "%.1f G", v / 1e9);
	else if (v >= 1e6)
		snprintf(out, n, "%.1f M", v / 1e6);
	else if (v >= 1e4)
		snprintf(out, n, "%.1f k", v / 1e3);
	else if (v == (double)(long long)v)
		snprintf(out, n, "%lld", (long long)v);
	else
		snprintf(out, n, "%.2f", v);
	return out;
}

char *fmt_pct(double ratio, char *out, size_t n)
{
	snprintf(out, n, ratio < 0.1 ? "%.1f%%" : "%.0f%%", ratio * 100);
	return out;
}

char *fmt_duration(double s, char *out, size_t n)
{
	if (s >= 1)
		snprintf(out, n, "%.2f s", s);
	else if (s >= 0.001)
		snprintf(out, n, "%.0f ms", s * 1e3);
	else
		snprintf(out, n, "%.0f us", s * 1e6);
	return out;
}

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

void fput_wrapped(FILE *out, const char *text, int col, int indent, int width)
{
	const char *p = text;
	bool first = true;

	while (*p) {
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		int wl = (int)(p - w);
		if (!first && col + 1 + wl > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', out);
			col++;
		}
		first = false;
		fwrite(w, 1, (size_t)wl, out);
		col += wl;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

#include "util.h"

#include <ctype.h>
#include <math.h>

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

static char *vfmt_entry(const char *fmt, va_list ap)
{
	char *p;
	if (vasprintf(&p, fmt, ap) < 0)
		oom(0);
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

/* A magnitude below 10,000 with about three significant digits, no
 * trailing zeros and never in exponent form: "7500", "3634", "37.5",
 * "5.25", "40", "0.53", "0.0012". */
static void fmt_sig3(double a, char *out, size_t n)
{
	int prec = a >= 99.95 ? 0 : a >= 9.995 ? 1 : a >= 0.9995 ? 2 : 0;

	if (a > 0 && a < 0.001) {
		snprintf(out, n, "<0.001");
		return;
	}
	if (a > 0 && a < 0.9995)
		snprintf(out, n, "%.2g", a);
	else
		snprintf(out, n, "%.*f", prec, a);
	if (!strchr(out, '.'))
		return;
	size_t l = strlen(out);
	while (l && out[l - 1] == '0')
		out[--l] = '\0';
	if (l && out[l - 1] == '.')
		out[--l] = '\0';
}

/* The sign, then 10,000 and up as "15.0 k", "1.4 M", "2.1 G". */
static char *fmt_scaled(double v, char *out, size_t n)
{
	static const struct {
		double at;
		const char *unit;
	} scale[] = {{1e9, "G"}, {1e6, "M"}, {1e4, "k"}};
	const char *sign = v < 0 ? "-" : "";
	double a = v < 0 ? -v : v;
	char m[32];

	if (!isfinite(v)) {
		snprintf(out, n, "unknown");
		return out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(scale); i++)
		if (a >= scale[i].at - scale[i].at / 2e4) {
			double div = scale[i].at == 1e4 ? 1e3 : scale[i].at;
			snprintf(out, n, "%s%.1f %s", sign, a / div, scale[i].unit);
			return out;
		}
	fmt_sig3(a, m, sizeof(m));
	snprintf(out, n, "%s%s", sign, m);
	return out;
}

/* Exact where the size is a whole number of its largest such unit, under
 * 10,240 of it (a region's length: "516 KiB", "1032 KiB", "2 MiB", "4100
 * B"); else one decimal in the largest unit it reaches ("23.5 GiB",
 * "92.2 MiB"). */
char *fmt_bytes(double b, char *out, size_t n)
{
	static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	int i = 0;

	if (!isfinite(b)) {
		snprintf(out, n, "unknown");
		return out;
	}
	if (b >= 0 && b < 9e15 && b == (double)(unsigned long long)b) {
		unsigned long long x = (unsigned long long)b;
		while (x && x % 1024 == 0 && i < 5) {
			x /= 1024;
			i++;
		}
		if (x < 10240) {
			snprintf(out, n, "%llu %s", x, u[i]);
			return out;
		}
		i = 0;
	}
	while ((b >= 1024 || b <= -1024) && i < 5) {
		b /= 1024;
		i++;
	}
	snprintf(out, n, i ? "%.1f %s" : "%.0f %s", b, u[i]);
	return out;
}

char *fmt_count(double v, char *out, size_t n)
{
	return fmt_scaled(v, out, n);
}

char *fmt_rate(double per_s, char *out, size_t n)
{
	return fmt_scaled(per_s, out, n);
}

char *fmt_pct(double ratio, char *out, size_t n)
{
	if (!isfinite(ratio))
		snprintf(out, n, "unknown");
	else if (ratio > 0 && ratio < 0.0005)
		snprintf(out, n, "<0.1%%");
	else
		snprintf(out, n, ratio < 0.0995 ? "%.1f%%" : "%.0f%%", ratio * 100);
	return out;
}

char *fmt_duration(double s, char *out, size_t n)
{
	static const struct {
		double at;
		const char *unit;
	} units[] = {{1, "s"}, {1e-3, "ms"}, {1e-6, "us"}, {1e-9, "ns"}};
	char m[32];

	if (!isfinite(s) || s < 0) {
		snprintf(out, n, "unknown");
		return out;
	}
	if (s == 0) {
		snprintf(out, n, "0 s");
		return out;
	}
	if (s >= 9999.5) {
		snprintf(out, n, "%.0f s", s);
		return out;
	}
	size_t i = 0;
	while (i + 1 < ARRAY_SIZE(units) && s < units[i].at * 0.9995)
		i++;
	fmt_sig3(s / units[i].at, m, sizeof(m));
	snprintf(out, n, "%s %s", m, units[i].unit);
	return out;
}

char *fmt_window_share(double summed_s, double window_s, int64_t nthreads, char *out, size_t n)
{
	char a[32], b[32];
	double share = window_s > 0 ? summed_s / window_s : -1;

	if (share < 0) {
		snprintf(out, n, "of an unknown window");
		return out;
	}
	double per = nthreads > 1 ? share / (double)nthreads : -1;
	if (share <= 1 && nthreads <= 1)
		snprintf(out, n, "%s of the window", fmt_pct(share, a, sizeof(a)));
	else if (share <= 1)
		snprintf(out, n, "%s of the window, threads in all; %s per thread over its %" PRId64 " threads",
			 fmt_pct(share, a, sizeof(a)), fmt_pct(per, b, sizeof(b)), nthreads);
	else if (per >= 0 && per <= 1)
		snprintf(out, n, "threads in all: %s times the window; %s of it per thread over its %" PRId64 " threads",
			 fmt_count(share, a, sizeof(a)), fmt_pct(per, b, sizeof(b)), nthreads);
	else
		snprintf(out, n, "threads in all: %s times the window", fmt_count(share, a, sizeof(a)));
	return out;
}

void entries_add(struct entries *e, const char *fmt, ...)
{
	va_list ap;
	_cleanup_free_ char *one = NULL;
	const char *sep = e->sep ? e->sep : "; ";

	if (e->left || (e->max_n && e->shown >= e->max_n)) {
		e->left++;
		return;
	}
	va_start(ap, fmt);
	one = vfmt_entry(fmt, ap);
	va_end(ap);
	size_t need = strlen(one) + (e->shown ? strlen(sep) : 0);
	if (e->max_len && e->b.len + need > e->max_len && e->shown) {
		e->left++;
		return;
	}
	if (e->shown)
		buf_append(&e->b, sep, strlen(sep));
	buf_append(&e->b, one, strlen(one));
	e->shown++;
}

const char *entries_end(struct entries *e)
{
	const char *sep = e->sep ? e->sep : "; ";
	if (e->left && !e->ended)
		buf_printf(&e->b, "%s+%zu more", e->shown ? sep : "", e->left);
	e->ended = true;
	buf_reserve(&e->b, 0);
	return e->b.data;
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

#include "proc.h"

#include <ctype.h>
#include <math.h>

int perr_set(struct perr *e, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		e->line = line;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

void line_iter_init(struct line_iter *it, const char *text)
{
	it->p = text;
	it->end = text + strlen(text);
	it->lineno = 0;
}

bool line_iter_next(struct line_iter *it, const char **line, size_t *len)
{
	if (it->p >= it->end)
		return false;
	const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	const char *stop = nl ? nl : it->end;
	*line = it->p;
	*len = (size_t)(stop - it->p);
	it->p = nl ? nl + 1 : it->end;
	it->lineno++;
	return true;
}

const char *skip_ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	return s;
}

int parse_u64(const char *s, const char *end, const char **ret_end, uint64_t *ret)
{
	uint64_t v = 0;
	const char *p = s;

	if (p >= end || !isdigit((unsigned char)*p))
		return -EINVAL;
	for (; p < end && isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*ret = v;
	if (ret_end)
		*ret_end = p;
	return 0;
}

/* The value of a hex digit, or -1: no locale tables (this runs for every
 * address of every maps line). */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_hex_u64(const char *s, const char *end, const char **ret_end, uint64_t *ret)
{
	uint64_t v = 0;
	const char *p = s;
	int d;

	if (p >= end || hexval(*p) < 0)
		return -EINVAL;
	for (; p < end && (d = hexval(*p)) >= 0; p++) {
		if (v >> 60)
			return -ERANGE;
		v = v * 16 + (unsigned)d;
	}
	*ret = v;
	if (ret_end)
		*ret_end = p;
	return 0;
}

/* Locale-independent "123.45": /proc prints fixed-point with a dot. */
int parse_double(const char *s, const char *end, const char **ret_end, double *ret)
{
	uint64_t ip = 0, fp = 0;
	const char *p = s;
	double scale = 1;
	int rc = parse_u64(p, end, &p, &ip);

	if (rc < 0)
		return rc;
	if (p < end && *p == '.') {
		const char *q = ++p;
		while (p < end && isdigit((unsigned char)*p) && p - q < 18) {
			fp = fp * 10 + (uint64_t)(*p - '0');
			scale *= 10;
			p++;
		}
		while (p < end && isdigit((unsigned char)*p))
			p++;
	}
	*ret = (double)ip + (double)fp / scale;
	if (ret_end)
		*ret_end = p;
	return 0;
}

int parse_single_u64(const char *text, uint64_t *ret, struct perr *err)
{
	const char *end = text + strlen(text);
	const char *p = skip_ws(text, end);
	uint64_t v;

	if (parse_u64(p, end, &p, &v) < 0)
		return perr_set(err, 1, "expected a number, found \"%.*s\"", QLINE(text, 20));
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p != end)
		return perr_set(err, 1, "unexpected text after the number: \"%.*s\"", QLINE(p, 20));
	*ret = v;
	return 0;
}

/* /proc/interrupts, /proc/softirqs and /proc/net/softnet_stat. */
#include "proc.h"

#include <ctype.h>

void irq_table_free(struct irq_table *t)
{
	for (size_t i = 0; i < t->nrows; i++) {
		free(t->rows[i].label);
		free(t->rows[i].counts);
		free(t->rows[i].desc);
	}
	free(t->rows);
	free(t->cpu_of_col);
	*t = (struct irq_table){0};
}

const struct irq_row *irq_table_row(const struct irq_table *t, const char *label, unsigned nth)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].label, label) && nth-- == 0)
			return &t->rows[i];
	return NULL;
}

/* Header: "CPU0 CPU1 ... CPUn". Offline CPUs are left out of
 * /proc/interrupts, so the column index is not the CPU number. A CPU
 * named twice would split its counts over two columns (and per-CPU sums
 * over a line's total): malformed. */
static int parse_header(const char *l, const char *end, struct irq_table *t, unsigned lineno,
			struct perr *err)
{
	size_t cap = 0;
	const char *p = l;
	uint64_t seen[CPUSET_MAX / 64] = {0};

	for (;;) {
		uint64_t n;
		p = skip_ws(p, end);
		if (p == end)
			break;
		if ((size_t)(end - p) < 4 || strncmp(p, "CPU", 3) ||
		    parse_u64(p + 3, end, &p, &n) < 0 || n >= CPUSET_MAX ||
		    (p < end && !isspace((unsigned char)*p)))
			return perr_set(err, lineno, "header: expected CPU names, found \"%.*s\"", QLINE(p, 20));
		if (seen[n / 64] & (1ULL << (n % 64)))
			return perr_set(err, lineno, "CPU%" PRIu64 " named twice in the header", n);
		seen[n / 64] |= 1ULL << (n % 64);
		ARRAY_GROW(t->cpu_of_col, t->ncols, cap);
		t->cpu_of_col[t->ncols++] = (int)n;
	}
	if (!t->ncols)
		return perr_set(err, lineno, "header names no CPU");
	return 0;
}

static int parse_irq_like(const char *text, struct irq_table *ret, struct perr *err, bool descs)
{
	struct irq_table t = {0};
	struct line_iter it;
	const char *l;
	size_t len;
	bool header = false;
	int rc;

	line_iter_init(&it, text);
	while (line_iter_next(&it, &l, &len)) {
		const char *end = l + len, *p = skip_ws(l, end);

		if (p == end)
			continue;
		if (!header) {
			rc = parse_header(l, end, &t, it.lineno, err);
			if (rc < 0)
				goto fail;
			header = true;
			continue;
		}
		const char *colon = memchr(p, ':', (size_t)(end - p));
		const char *lend = colon;
		while (colon && lend > p && isspace((unsigned char)lend[-1]))
			lend--;
		if (!colon || lend == p || memchr(p, ' ', (size_t)(lend - p)) ||
		    memchr(p, '\t', (size_t)(lend - p))) {
			rc = perr_set(err, it.lineno, "expected \"LABEL: counts\", found \"%.*s\"", QLINE(p, 40));
			goto fail;
		}
		ARRAY_GROW(t.rows, t.nrows, t.caprows);
		struct irq_row *r = &t.rows[t.nrows++];
		*r = (struct irq_row){0};
		r->label = xstrndup(p, (size_t)(lend - p));
		r->counts = xcalloc(t.ncols, sizeof(uint64_t));
		p = colon + 1;
		while (r->ncounts < t.ncols) {
			const char *q = skip_ws(p, end);
			uint64_t v;
			if (q == end || !isdigit((unsigned char)*q))
				break;
			const char *after;
			if (parse_u64(q, end, &after, &v) < 0) {
				rc = perr_set(err, it.lineno, "count out of range in row \"%s\"", r->label);
				goto fail;
			}
			/* "12abc" is a description word, not a count. */
			if (after < end && !isspace((unsigned char)*after))
				break;
			r->counts[r->ncounts++] = v;
			r->sum += v;
			p = after;
		}
		p = skip_ws(p, end);
		while (end > p && isspace((unsigned char)end[-1]))
			end--;
		if (!descs && p != end) {
			rc = perr_set(err, it.lineno, "unexpected text \"%.*s\" in row \"%s\"", QLINE(p, 20), r->label);
			goto fail;
		}
		r->desc = xstrndup(p, (size_t)(end - p));
		if (r->ncounts == 0 && !descs) {
			rc = perr_set(err, it.lineno, "row \"%s\" has no counts", r->label);
			goto fail;
		}
	}
	if (!header) {
		rc = perr_set(err, 0, "empty file");
		goto fail;
	}
	*ret = t;
	return 0;
fail:
	irq_table_free(&t);
	return rc;
}

int proc_interrupts_parse(const char *text, struct irq_table *ret, struct perr *err)
{
	return parse_irq_like(text, ret, err, true);
}

int proc_softirqs_parse(const char *text, struct irq_table *ret, struct perr *err)
{
	return parse_irq_like(text, ret, err, false);
}

void softnet_free(struct softnet *s)
{
	free(s->rows);
	*s = (struct softnet){0};
}

int proc_softnet_parse(const char *text, struct softnet *ret, struct perr *err)
{
	struct softnet s = {0};
	struct line_iter it;
	const char *l;
	size_t len, cap = 0;

	s.cpu_from_column = true;
	line_iter_init(&it, text);
	while (line_iter_next(&it, &l, &len)) {
		const char *end = l + len, *p = l;
		uint32_t f[32] = {0};
		unsigned n = 0;

		if (skip_ws(l, end) == end)
			continue;
		for (;;) {
			const char *q = skip_ws(p, end);
			uint64_t v;
			if (q == end)
				break;
			if ((q == p && n) || n >= ARRAY_SIZE(f) || parse_hex_u64(q, end, &p, &v) < 0 ||
			    v > UINT32_MAX) {
				softnet_free(&s);
				return perr_set(err, it.lineno, "expected hex columns, found \"%.*s\"", QLINE(q, 20));
			}
			f[n++] = (uint32_t)v;
		}
		/* 2.6.32 and older print 9 or 10 columns; later kernels add
		 * received_rps, flow_limit_count, backlog_len, the cpu index
		 * and queue lengths. */
		if (n < 9) {
			softnet_free(&s);
			return perr_set(err, it.lineno, "%u columns, expected at least 9", n);
		}
		ARRAY_GROW(s.rows, s.n, cap);
		struct softnet_row *r = &s.rows[s.n];
		*r = (struct softnet_row){
			.cpu = n >= 13 ? (int)f[12] : (int)s.n,
			.ncols = n,
			.processed = f[0],
			.dropped = f[1],
			.time_squeeze = f[2],
			.cpu_collision = f[8],
			.received_rps = n >= 10 ? f[9] : 0,
			.flow_limit = n >= 11 ? f[10] : 0,
			.backlog_len = n >= 12 ? f[11] : 0,
		};
		if (n < 13)
			s.cpu_from_column = false;
		s.n++;
	}
	if (!s.n)
		return perr_set(err, 0, "empty file");
	*ret = s;
	return 0;
}

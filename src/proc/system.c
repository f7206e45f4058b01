/* System-wide files: version, stat, loadavg, pressure, dentry-state. */
#include "proc.h"

#include <ctype.h>

int kernel_release_parse(const char *text, struct kernel_version *ret, struct perr *err)
{
	const char *end = text + strlen(text);
	const char *p = skip_ws(text, end), *q;
	uint64_t maj, min = 0, pat = 0;
	struct kernel_version v = {0};

	if (parse_u64(p, end, &q, &maj) < 0 || maj > 100)
		return perr_set(err, 1, "release \"%.*s\" does not start with a version", QLINE(p, 30));
	if (q < end && *q == '.' && parse_u64(q + 1, end, &q, &min) == 0 && q < end && *q == '.')
		parse_u64(q + 1, end, &q, &pat);
	v.major = (unsigned)maj;
	v.minor = (unsigned)(min > 10000 ? 10000 : min);
	v.patch = (unsigned)(pat > 100000 ? 100000 : pat);
	q = p;
	while (q < end && !isspace((unsigned char)*q))
		q++;
	snprintf(v.release, sizeof(v.release), "%.*s", (int)(q - p), p);
	*ret = v;
	return 0;
}

int proc_version_parse(const char *text, struct kernel_version *ret, struct perr *err)
{
	const char *pre = "Linux version ";

	if (!str_starts_with(text, pre))
		return perr_set(err, 1, "does not start with \"Linux version\"");
	return kernel_release_parse(text + strlen(pre), ret, err);
}

bool kver_at_least(const struct kernel_version *v, unsigned major, unsigned minor)
{
	return v->major > major || (v->major == major && v->minor >= minor);
}

uint64_t cpu_times_total(const struct cpu_times *c)
{
	uint64_t s = 0;
	/* guest and guest_nice are already included in user and nice. */
	for (int i = 0; i < CPUT_GUEST && i < (int)c->ncols; i++)
		s += c->t[i];
	return s;
}

void proc_stat_free(struct proc_stat *s)
{
	free(s->cpus);
	*s = (struct proc_stat){0};
}

static int parse_cpu_line(const char *l, const char *end, struct cpu_times *c)
{
	const char *p = l + 3;
	uint64_t n;

	c->cpu = -1;
	if (p < end && isdigit((unsigned char)*p)) {
		if (parse_u64(p, end, &p, &n) < 0 || n >= CPUSET_MAX)
			return -EINVAL;
		c->cpu = (int)n;
	}
	c->ncols = 0;
	for (;;) {
		const char *q = skip_ws(p, end);
		if (q == end)
			break;
		if (q == p || c->ncols >= CPUT_MAX || parse_u64(q, end, &p, &c->t[c->ncols]) < 0)
			return -EINVAL;
		c->ncols++;
	}
	return c->ncols >= 4 ? 0 : -EINVAL;
}

int proc_stat_parse(const char *text, struct proc_stat *ret, struct perr *err)
{
	struct proc_stat s = {0};
	struct line_iter it;
	const char *l;
	size_t len, cap = 0;
	bool have_total = false;

	line_iter_init(&it, text);
	while (line_iter_next(&it, &l, &len)) {
		const char *end = l + len, *p;
		static const struct {
			const char *name;
			size_t off, has;
		} single[] = {
			{"intr", offsetof(struct proc_stat, intr_total), offsetof(struct proc_stat, has_intr)},
			{"ctxt", offsetof(struct proc_stat, ctxt), offsetof(struct proc_stat, has_ctxt)},
			{"btime", offsetof(struct proc_stat, btime), offsetof(struct proc_stat, has_btime)},
			{"processes", offsetof(struct proc_stat, processes), offsetof(struct proc_stat, has_processes)},
			{"procs_running", offsetof(struct proc_stat, procs_running), offsetof(struct proc_stat, has_running)},
			{"procs_blocked", offsetof(struct proc_stat, procs_blocked), offsetof(struct proc_stat, has_blocked)},
			{"softirq", offsetof(struct proc_stat, softirq_total), offsetof(struct proc_stat, has_softirq)},
		};

		if (skip_ws(l, end) == end)
			continue;
		if (len >= 3 && !strncmp(l, "cpu", 3)) {
			struct cpu_times c = {0};
			if (parse_cpu_line(l, end, &c) < 0) {
				proc_stat_free(&s);
				return perr_set(err, it.lineno, "malformed cpu line \"%.*s\"", QLINE(l, 40));
			}
			if (c.cpu < 0) {
				s.total = c;
				have_total = true;
			} else {
				ARRAY_GROW(s.cpus, s.ncpus, cap);
				s.cpus[s.ncpus++] = c;
			}
			continue;
		}
		for (size_t i = 0; i < ARRAY_SIZE(single); i++) {
			size_t n = strlen(single[i].name);
			if (len > n && !strncmp(l, single[i].name, n) && (l[n] == ' ' || l[n] == '\t')) {
				uint64_t v;
				p = skip_ws(l + n, end);
				if (parse_u64(p, end, &p, &v) < 0) {
					proc_stat_free(&s);
					return perr_set(err, it.lineno, "no number after \"%s\"", single[i].name);
				}
				*(uint64_t *)((char *)&s + single[i].off) = v;
				*(bool *)((char *)&s + single[i].has) = true;
			}
		}
		/* Other lines (page, swap, disk_io on 2.4/2.6.0) are ignored. */
	}
	if (!have_total) {
		proc_stat_free(&s);
		return perr_set(err, 0, "no \"cpu\" total line");
	}
	*ret = s;
	return 0;
}

int proc_loadavg_parse(const char *text, struct loadavg *ret, struct perr *err)
{
	const char *end = text + strlen(text), *p = skip_ws(text, end);
	struct loadavg la = {0};
	uint64_t run, tot;

	if (parse_double(p, end, &p, &la.avg1) < 0 ||
	    parse_double(skip_ws(p, end), end, &p, &la.avg5) < 0 ||
	    parse_double(skip_ws(p, end), end, &p, &la.avg15) < 0 ||
	    parse_u64(skip_ws(p, end), end, &p, &run) < 0 || p >= end || *p != '/' ||
	    parse_u64(p + 1, end, &p, &tot) < 0 ||
	    parse_u64(skip_ws(p, end), end, &p, &la.last_pid) < 0)
		return perr_set(err, 1, "expected \"a b c r/t pid\", found \"%.*s\"", QLINE(text, 40));
	la.running = (unsigned)run;
	la.total = (unsigned)tot;
	*ret = la;
	return 0;
}

static int psi_field(const char **pp, const char *end, const char *name, double *d, uint64_t *u)
{
	const char *p = skip_ws(*pp, end);
	size_t n = strlen(name);

	if ((size_t)(end - p) <= n || strncmp(p, name, n) || p[n] != '=')
		return -EINVAL;
	p += n + 1;
	int rc = d ? parse_double(p, end, &p, d) : parse_u64(p, end, &p, u);
	*pp = p;
	return rc;
}

int proc_pressure_parse(const char *text, struct psi *ret, struct perr *err)
{
	struct psi ps = {0};
	struct line_iter it;
	const char *l;
	size_t len;

	line_iter_init(&it, text);
	while (line_iter_next(&it, &l, &len)) {
		const char *end = l + len, *p;
		struct psi_line *pl;

		if (skip_ws(l, end) == end)
			continue;
		if (len > 5 && !strncmp(l, "some ", 5))
			pl = &ps.some, p = l + 5;
		else if (len > 5 && !strncmp(l, "full ", 5))
			pl = &ps.full, p = l + 5;
		else
			return perr_set(err, it.lineno, "expected \"some\" or \"full\", found \"%.*s\"", QLINE(l, 20));
		if (psi_field(&p, end, "avg10", &pl->avg10, NULL) < 0 ||
		    psi_field(&p, end, "avg60", &pl->avg60, NULL) < 0 ||
		    psi_field(&p, end, "avg300", &pl->avg300, NULL) < 0 ||
		    psi_field(&p, end, "total", NULL, &pl->total_us) < 0)
			return perr_set(err, it.lineno, "malformed pressure line \"%.*s\"", QLINE(l, 60));
		pl->present = true;
	}
	if (!ps.some.present && !ps.full.present)
		return perr_set(err, 0, "no \"some\" or \"full\" line");
	*ret = ps;
	return 0;
}

int proc_dentry_state_parse(const char *text, struct dentry_state *ret, struct perr *err)
{
	const char *end = text + strlen(text), *p = text;
	uint64_t f[6];

	for (int i = 0; i < 6; i++) {
		p = skip_ws(p, end);
		if (parse_u64(p, end, &p, &f[i]) < 0)
			return perr_set(err, 1, "expected 6 numbers, field %d is missing or not a number", i + 1);
	}
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p != end)
		return perr_set(err, 1, "unexpected text after 6 numbers");
	*ret = (struct dentry_state){f[0], f[1], f[2], f[3], f[4], f[5]};
	return 0;
}

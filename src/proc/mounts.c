/* /proc/PID/mountinfo, and CPU masks and lists from /sys and /proc/irq. */
#include "proc.h"

#include <ctype.h>

static void mount_clear(struct mount *x)
{
	free(x->root);
	free(x->mountpoint);
	free(x->opts);
	free(x->fstype);
	free(x->source);
	free(x->super_opts);
}

void mounts_free(struct mounts *m)
{
	for (size_t i = 0; i < m->n; i++)
		mount_clear(&m->v[i]);
	free(m->v);
	*m = (struct mounts){0};
}

/* Mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape(const char *p, const char *end)
{
	char *s = xmalloc((size_t)(end - p) + 1), *o = s;

	while (p < end) {
		if (p[0] == '\\' && end - p >= 4 && p[1] >= '0' && p[1] <= '3' &&
		    p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
			*o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 4;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return s;
}

/* Next space-separated field; false if none. Tabs are escaped by the
 * kernel, so only ' ' separates. */
static bool field(const char **pp, const char *end, const char **fs, const char **fe)
{
	const char *p = *pp;
	while (p < end && *p == ' ')
		p++;
	if (p == end)
		return false;
	*fs = p;
	while (p < end && *p != ' ')
		p++;
	*fe = p;
	*pp = p;
	return true;
}

int proc_mountinfo_parse(const char *text, struct mounts *ret, struct perr *err)
{
	struct mounts m = {0};
	struct line_iter it;
	const char *l;
	size_t len;

	line_iter_init(&it, text);
	while (line_iter_next(&it, &l, &len)) {
		const char *end = l + len, *p = l, *fs, *fe;
		const char *f[6][2];
		struct mount x = {0};
		uint64_t id, parent, maj, min;

		if (skip_ws(l, end) == end)
			continue;
		for (int i = 0; i < 6; i++)
			if (!field(&p, end, &f[i][0], &f[i][1]))
				goto bad;
		if (parse_u64(f[0][0], f[0][1], NULL, &id) < 0 ||
		    parse_u64(f[1][0], f[1][1], NULL, &parent) < 0 ||
		    parse_u64(f[2][0], f[2][1], &fs, &maj) < 0 || fs >= f[2][1] || *fs != ':' ||
		    parse_u64(fs + 1, f[2][1], NULL, &min) < 0)
			goto bad;
		/* Optional fields ("shared:1 master:2") end at a lone "-". */
		for (;;) {
			if (!field(&p, end, &fs, &fe))
				goto bad;
			if (fe - fs == 1 && *fs == '-')
				break;
		}
		x.id = (int)id;
		x.parent = (int)parent;
		x.major = (unsigned)maj;
		x.minor = (unsigned)min;
		x.root = unescape(f[3][0], f[3][1]);
		x.mountpoint = unescape(f[4][0], f[4][1]);
		x.opts = xstrndup(f[5][0], (size_t)(f[5][1] - f[5][0]));
		if (!field(&p, end, &fs, &fe)) {
			mount_clear(&x);
			goto bad;
		}
		x.fstype = unescape(fs, fe);
		x.source = field(&p, end, &fs, &fe) ? unescape(fs, fe) : xstrdup("");
		x.super_opts = field(&p, end, &fs, &fe) ? xstrndup(fs, (size_t)(fe - fs)) : xstrdup("");
		ARRAY_GROW(m.v, m.n, m.cap);
		m.v[m.n++] = x;
		continue;
bad:
		mounts_free(&m);
		return perr_set(err, it.lineno, "malformed mountinfo line \"%.*s\"", QLINE(l, 60));
	}
	*ret = m;
	return 0;
}

static void cpuset_set(struct cpuset *s, unsigned cpu)
{
	s->bits[cpu / 64] |= 1ull << (cpu % 64);
	if (cpu + 1 > s->highest)
		s->highest = cpu + 1;
}

bool cpuset_test(const struct cpuset *s, unsigned cpu)
{
	return cpu < CPUSET_MAX && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned cpuset_count(const struct cpuset *s)
{
	unsigned n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(s->bits); i++)
		n += (unsigned)__builtin_popcountll(s->bits[i]);
	return n;
}

int cpumask_parse(const char *text, struct cpuset *ret, struct perr *err)
{
	const char *end = text + strlen(text), *p = skip_ws(text, end);
	uint32_t groups[CPUSET_MAX / 32];
	size_t n = 0;

	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	for (;;) {
		uint64_t v;
		const char *q;
		if (parse_hex_u64(p, end, &q, &v) < 0 || q - p > 8)
			return perr_set(err, 1, "expected comma-separated 32-bit hex groups");
		if (n >= ARRAY_SIZE(groups))
			return perr_set(err, 1, "mask wider than %d CPUs", CPUSET_MAX);
		groups[n++] = (uint32_t)v;
		p = q;
		if (p == end)
			break;
		if (*p != ',')
			return perr_set(err, 1, "unexpected \"%c\" in mask", *p);
		p++;
	}
	memset(ret, 0, sizeof(*ret));
	/* Most significant group first. */
	for (size_t g = 0; g < n; g++) {
		uint32_t v = groups[n - 1 - g];
		for (unsigned b = 0; b < 32; b++)
			if (v >> b & 1)
				cpuset_set(ret, (unsigned)(g * 32 + b));
	}
	return 0;
}

int cpulist_parse(const char *text, struct cpuset *ret, struct perr *err)
{
	const char *end = text + strlen(text), *p = skip_ws(text, end);
	struct cpuset s = {0};

	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	while (p < end) {
		uint64_t a, b;
		if (parse_u64(p, end, &p, &a) < 0)
			return perr_set(err, 1, "expected a CPU number in list");
		b = a;
		if (p < end && *p == '-' && parse_u64(p + 1, end, &p, &b) < 0)
			return perr_set(err, 1, "expected a range end in list");
		if (b < a || b >= CPUSET_MAX)
			return perr_set(err, 1, "bad CPU range %llu-%llu",
					(unsigned long long)a, (unsigned long long)b);
		for (uint64_t c = a; c <= b; c++)
			cpuset_set(&s, (unsigned)c);
		if (p < end && *p != ',')
			return perr_set(err, 1, "unexpected \"%c\" in list", *p);
		if (p < end)
			p++;
	}
	*ret = s;
	return 0;
}

void cpuset_format(const struct cpuset *s, char *out, size_t n)
{
	size_t off = 0;
	if (!n)
		return;
	out[0] = '\0';
	for (unsigned c = 0; c < s->highest && off + 12 < n; c++) {
		if (!cpuset_test(s, c))
			continue;
		unsigned e = c;
		while (e + 1 < s->highest && cpuset_test(s, e + 1))
			e++;
		off += (size_t)snprintf(out + off, n - off, off ? ",%u" : "%u", c);
		if (e > c)
			off += (size_t)snprintf(out + off, n - off, "-%u", e);
		c = e;
	}
}

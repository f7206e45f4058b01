/* Per-process files: stat, status, cmdline, stack, wchan, maps. */
#include "proc.h"

#include <ctype.h>
#include <limits.h>

int proc_pid_stat_parse(const char *text, struct pid_stat *ret, struct perr *err)
{
	/* "pid (comm) state ...": comm may hold any byte but NUL, spaces,
	 * parentheses, ") R 1 2" and newlines included, so it ends at the
	 * LAST ')' of the whole file, and the fields after it run to the end
	 * of that line (the kernel prints one line; what follows is not ours). */
	const char *open = strchr(text, '('), *close = strrchr(text, ')'), *p;
	struct pid_stat s = {0};
	uint64_t f[64] = {0};
	bool neg[64] = {0};
	uint64_t pid;
	unsigned n = 0;

	if (!open || !close || close < open || parse_u64(skip_ws(text, open), open, &p, &pid) < 0 ||
	    skip_ws(p, open) != open || pid > INT_MAX)
		return perr_set(err, 1, "expected \"pid (comm) state ...\"");
	const char *nl = strchr(close, '\n'), *end = nl ? nl : close + strlen(close);
	s.pid = (int)pid;
	snprintf(s.comm, sizeof(s.comm), "%.*s", (int)(close - open - 1), open + 1);
	p = skip_ws(close + 1, end);
	if (p >= end || !isalpha((unsigned char)*p))
		return perr_set(err, 1, "missing state after comm");
	s.state = *p++;
	/* Fields from 4 (ppid) on, numbered as in proc(5). */
	while (n < ARRAY_SIZE(f)) {
		const char *q = skip_ws(p, end);
		if (q == end)
			break;
		if (q == p)
			return perr_set(err, 1, "fields not separated by spaces");
		if (*q == '-') {
			neg[n] = true;
			q++;
		}
		if (parse_u64(q, end, &p, &f[n]) < 0)
			return perr_set(err, 1, "field %u is not a number", n + 4);
		n++;
	}
	s.nfields = n + 3;
	/* Up to rss (field 24) every kernel since 2.4 prints. */
	if (s.nfields < 24)
		return perr_set(err, 1, "only %u fields, expected at least 24", s.nfields);
#define F(i) f[(i) - 4]
#define SF(i) (neg[(i) - 4] ? -(int64_t)f[(i) - 4] : (int64_t)f[(i) - 4])
	s.ppid = (int)SF(4);
	s.utime = F(14);
	s.stime = F(15);
	s.num_threads = SF(20);
	s.starttime = F(22);
	s.vsize = F(23);
	s.rss = SF(24);
	s.processor = s.nfields >= 39 ? (int)SF(39) : -1;
	s.blkio_ticks = s.nfields >= 42 ? F(42) : 0;
#undef F
#undef SF
	*ret = s;
	return 0;
}

void proc_comm_parse(const char *data, size_t len, char *ret, size_t retlen)
{
	size_t n = strnlen(data, len);
	if (n && data[n - 1] == '\n')
		n--;
	snprintf(ret, retlen, "%.*s", (int)n, data);
}

static int status_int(const char *p, const char *end, int64_t *ret)
{
	bool neg = false;
	uint64_t v;

	p = skip_ws(p, end);
	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	if (parse_u64(p, end, NULL, &v) < 0)
		return -EINVAL;
	*ret = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int proc_pid_status_parse(const char *text, struct pid_status *ret, struct perr *err)
{
	struct pid_status s = {0};
	struct line_iter it;
	const char *l;
	size_t len;
	bool have_name = false, have_pid = false;

	s.tgid = s.pid = s.ppid = -1;
	line_iter_init(&it, text);
	while (line_iter_next(&it, &l, &len)) {
		const char *end = l + len;
		const char *colon = memchr(l, ':', len);
		int64_t v;

		if (skip_ws(l, end) == end)
			continue;
		if (!colon)
			return perr_set(err, it.lineno, "expected \"Key: value\", found \"%.*s\"", QLINE(l, 30));
		size_t klen = (size_t)(colon - l);
		const char *val = skip_ws(colon + 1, end);
#define KEY(k) (klen == strlen(k) && !strncmp(l, k, klen))
		if (KEY("Name")) {
			/* The name is escaped by the kernel; keep it as printed. */
			snprintf(s.name, sizeof(s.name), "%.*s", (int)(end - val), val);
			have_name = true;
		} else if (KEY("State")) {
			s.state = val < end ? *val : '?';
		} else if (KEY("Tgid") || KEY("Pid") || KEY("PPid") || KEY("Threads") ||
			   KEY("VmSize") || KEY("VmRSS")) {
			if (status_int(val, end, &v) < 0)
				return perr_set(err, it.lineno, "%.*s: not a number", (int)klen, l);
			if (KEY("Tgid"))
				s.tgid = (int)v;
			else if (KEY("Pid"))
				s.pid = (int)v, have_pid = true;
			else if (KEY("PPid"))
				s.ppid = (int)v;
			else if (KEY("Threads"))
				s.threads = v;
			else if (KEY("VmSize"))
				s.vm_size_kb = (uint64_t)v, s.has_vm = true;
			else
				s.vm_rss_kb = (uint64_t)v, s.has_vm = true;
		} else if (KEY("NSpid")) {
			const char *p = val;
			while (s.nnspid < ARRAY_SIZE(s.nspid)) {
				uint64_t u;
				p = skip_ws(p, end);
				if (parse_u64(p, end, &p, &u) < 0)
					break;
				s.nspid[s.nnspid++] = (int)u;
			}
		}
#undef KEY
	}
	if (!have_name || !have_pid)
		return perr_set(err, 0, "no Name or Pid line");
	*ret = s;
	return 0;
}

char *proc_cmdline_join(const char *data, size_t len)
{
	while (len && data[len - 1] == '\0')
		len--;
	char *s = xstrndup(data, len);
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0')
			s[i] = ' ';
	return s;
}

void kstack_free(struct kstack *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->funcs[i]);
	free(s->funcs);
	*s = (struct kstack){0};
}

int proc_stack_parse(const char *text, struct kstack *ret, struct perr *err)
{
	struct kstack s = {0};
	struct line_iter it;
	const char *l;
	size_t len, cap = 0;

	line_iter_init(&it, text);
	while (line_iter_next(&it, &l, &len)) {
		const char *end = l + len, *p = skip_ws(l, end), *q;

		if (p == end)
			continue;
		const char *rb = memchr(p, ']', (size_t)(end - p));
		if (*p != '[' || !rb) {
			kstack_free(&s);
			return perr_set(err, it.lineno, "expected \"[<addr>] function\", found \"%.*s\"", QLINE(p, 30));
		}
		p = skip_ws(rb + 1, end);
		for (q = p; q < end && *q != '+' && !isspace((unsigned char)*q);)
			q++;
		ARRAY_GROW(s.funcs, s.n, cap);
		s.funcs[s.n++] = xstrndup(p, (size_t)(q - p));
	}
	*ret = s;
	return 0;
}

char *proc_wchan_parse(const char *text)
{
	const char *end = text + strlen(text), *p = skip_ws(text, end);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (end - p == 1 && *p == '0')
		return xstrdup("");
	return xstrndup(p, (size_t)(end - p));
}

void maps_free(struct maps *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	*m = (struct maps){0};
}

int proc_maps_parse(const char *text, struct maps *ret, struct perr *err)
{
	struct maps m = {0};
	struct line_iter it;
	const char *l;
	size_t len;

	line_iter_init(&it, text);
	while (line_iter_next(&it, &l, &len)) {
		const char *end = l + len, *p = l;
		struct vma v = {0};
		uint64_t maj, min;

		if (skip_ws(l, end) == end)
			continue;
		if (parse_hex_u64(p, end, &p, &v.start) < 0 || p >= end || *p != '-' ||
		    parse_hex_u64(p + 1, end, &p, &v.end) < 0 || v.end < v.start)
			goto bad;
		p = skip_ws(p, end);
		if (end - p < 4)
			goto bad;
		memcpy(v.perms, p, 4);
		p = skip_ws(p + 4, end);
		if (parse_hex_u64(p, end, &p, &v.offset) < 0)
			goto bad;
		p = skip_ws(p, end);
		if (parse_hex_u64(p, end, &p, &maj) < 0 || p >= end || *p != ':' ||
		    parse_hex_u64(p + 1, end, &p, &min) < 0)
			goto bad;
		p = skip_ws(p, end);
		if (parse_u64(p, end, &p, &v.inode) < 0)
			goto bad;
		v.dev_major = (unsigned)maj;
		v.dev_minor = (unsigned)min;
		p = skip_ws(p, end);
		if (p < end)
			v.path = xstrndup(p, (size_t)(end - p));
		ARRAY_GROW(m.v, m.n, m.cap);
		m.v[m.n++] = v;
		continue;
bad:
		maps_free(&m);
		return perr_set(err, it.lineno, "malformed mapping \"%.*s\"", QLINE(l, 60));
	}
	*ret = m;
	return 0;
}

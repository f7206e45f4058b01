/* Key/value files: meminfo and vmstat, and single fields of others. */
#include "proc.h"

#include <ctype.h>

void kvtab_free(struct kvtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].key);
	free(t->v);
	*t = (struct kvtab){0};
}

int kv_get(const struct kvtab *t, const char *key, uint64_t *ret)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].key, key)) {
			*ret = t->v[i].val;
			return 0;
		}
	return -ENOENT;
}

static void kv_add(struct kvtab *t, const char *key, size_t klen, uint64_t val)
{
	ARRAY_GROW(t->v, t->n, t->cap);
	t->v[t->n].key = xstrndup(key, klen);
	t->v[t->n].val = val;
	t->n++;
}

static bool blank(const char *s, const char *end)
{
	return skip_ws(s, end) == end;
}

int proc_meminfo_parse(const char *text, struct kvtab *ret, struct perr *err)
{
	struct kvtab t = {0};
	struct line_iter it;
	const char *l;
	size_t len;

	line_iter_init(&it, text);
	while (line_iter_next(&it, &l, &len)) {
		const char *end = l + len, *p;
		uint64_t v, v2;

		if (blank(l, end))
			continue;
		/* 2.4-era summary header: "        total:    used:    free: ..." */
		if (isspace((unsigned char)l[0]) && strstr(l, "total:") && len < 200 &&
		    strstr(l, "used:"))
			continue;
		const char *colon = memchr(l, ':', len);
		if (!colon || colon == l) {
			kvtab_free(&t);
			return perr_set(err, it.lineno, "expected \"Key: value\", found \"%.*s\"", QLINE(l, 40));
		}
		p = skip_ws(colon + 1, end);
		if (parse_u64(p, end, &p, &v) < 0) {
			kvtab_free(&t);
			return perr_set(err, it.lineno, "no number after \"%.*s:\"",
					(int)(colon - l > 40 ? 40 : colon - l), l);
		}
		p = skip_ws(p, end);
		/* 2.4-era "Mem:" / "Swap:" rows carry several byte counts. */
		if (p < end && isdigit((unsigned char)*p) && parse_u64(p, end, NULL, &v2) == 0) {
			if ((colon - l == 3 && !strncmp(l, "Mem", 3)) ||
			    (colon - l == 4 && !strncmp(l, "Swap", 4)))
				continue;
			kvtab_free(&t);
			return perr_set(err, it.lineno, "several numbers after \"%.*s:\"",
					(int)(colon - l > 40 ? 40 : colon - l), l);
		}
		if (p < end && !strncmp(p, "kB", 2))
			p += 2;
		if (!blank(p, end)) {
			kvtab_free(&t);
			return perr_set(err, it.lineno, "unexpected unit or text \"%.*s\"", QLINE(p, 20));
		}
		kv_add(&t, l, (size_t)(colon - l), v);
	}
	if (kv_get(&t, "MemTotal", &(uint64_t){0}) < 0) {
		kvtab_free(&t);
		return perr_set(err, 0, "no MemTotal line");
	}
	*ret = t;
	return 0;
}

int proc_vmstat_parse(const char *text, struct kvtab *ret, struct perr *err)
{
	struct kvtab t = {0};
	struct line_iter it;
	const char *l;
	size_t len;

	line_iter_init(&it, text);
	while (line_iter_next(&it, &l, &len)) {
		const char *end = l + len, *p = l;
		uint64_t v;

		if (blank(l, end))
			continue;
		while (p < end && !isspace((unsigned char)*p))
			p++;
		const char *kend = p;
		p = skip_ws(p, end);
		if (kend == l || parse_u64(p, end, &p, &v) < 0 || !blank(p, end)) {
			kvtab_free(&t);
			return perr_set(err, it.lineno, "expected \"name value\", found \"%.*s\"", QLINE(l, 40));
		}
		kv_add(&t, l, (size_t)(kend - l), v);
	}
	if (!t.n)
		return perr_set(err, 0, "empty file");
	*ret = t;
	return 0;
}

int proc_field_u64(const char *text, const char *key, uint64_t *ret, struct perr *err)
{
	size_t klen = strlen(key);
	struct line_iter it;
	const char *l;
	size_t len;

	line_iter_init(&it, text);
	while (line_iter_next(&it, &l, &len)) {
		const char *end = l + len, *p;
		uint64_t v;
		if (len <= klen || l[klen] != ':' || strncmp(l, key, klen))
			continue;
		p = skip_ws(l + klen + 1, end);
		if (parse_u64(p, end, &p, &v) < 0)
			return perr_set(err, it.lineno, "no number after \"%s:\"", key);
		p = skip_ws(p, end);
		if (end - p >= 2 && !strncmp(p, "kB", 2))
			p += 2;
		if (!blank(p, end))
			return perr_set(err, it.lineno, "unexpected text after \"%s:\" %" PRIu64, key, v);
		*ret = v;
		return 0;
	}
	perr_set(err, 0, "no %s line", key);
	return -ENOENT;
}

#include "pattern.h"

#include <ctype.h>

/* 8-4-4-4-12 hex digits. */
static bool is_uuid(const char *p)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? p[i] != '-' : !isxdigit((unsigned char)p[i]))
			return false;
	}
	return !isalnum((unsigned char)p[36]);
}

char *path_pattern(const char *path)
{
	struct buf b = {0};
	const char *p = path;

	buf_reserve(&b, strlen(path));
	while (*p) {
		if ((p == path || !isalnum((unsigned char)p[-1])) && strlen(p) >= 36 && is_uuid(p)) {
			buf_append(&b, "X", 1);
			p += 36;
			continue;
		}
		const char *q = p;
		bool digit = false, alpha = false;
		while (isxdigit((unsigned char)*q)) {
			if (isdigit((unsigned char)*q))
				digit = true;
			else
				alpha = true;
			q++;
		}
		size_t n = (size_t)(q - p);
		/* A hex run bounded by non-alphanumerics, long and mixed. */
		bool bounded = (p == path || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)*q);
		if (n >= 8 && digit && alpha && bounded) {
			buf_append(&b, "X", 1);
			p = q;
			continue;
		}
		if (isdigit((unsigned char)*p)) {
			while (isdigit((unsigned char)*p))
				p++;
			buf_append(&b, "N", 1);
			continue;
		}
		buf_append(&b, p, 1);
		p++;
	}
	return b.data;
}

void pattern_set_add(struct pattern_set *s, const char *path, uint64_t n)
{
	char *pat = path_pattern(path);
	s->total += n;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].pattern, pat)) {
			s->v[i].n += n;
			free(pat);
			return;
		}
	if (s->n >= PATTERN_SET_MAX) {
		s->overflow += n;
		free(pat);
		return;
	}
	ARRAY_GROW(s->v, s->n, s->cap);
	s->v[s->n++] = (struct pattern_count){pat, xstrdup(path), n};
}

static int cmp_count(const void *a, const void *b)
{
	const struct pattern_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->pattern, y->pattern);
}

void pattern_set_sort(struct pattern_set *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_count);
}

void pattern_set_free(struct pattern_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].pattern);
		free(s->v[i].example);
	}
	free(s->v);
	*s = (struct pattern_set){0};
}

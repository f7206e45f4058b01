#include "memtree.h"

char *memtree_clean_path(const char *path)
{
	struct buf b = {0};
	const char *p = path;

	if (*p == '/')
		return NULL;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			buf_free(&b);
			return NULL;
		}
		if (n && !(n == 1 && p[0] == '.')) {
			if (b.len)
				buf_append(&b, "/", 1);
			buf_append(&b, p, n);
		}
		p += n;
		while (*p == '/')
			p++;
	}
	if (!b.len) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

static bool is_clean(const char *path)
{
	char *c = memtree_clean_path(path);
	bool same = c && !strcmp(c, path);
	free(c);
	return same;
}

int memtree_add(struct memtree *t, const char *path, const char *data, size_t len)
{
	if (!is_clean(path))
		return -EINVAL;
	ARRAY_GROW(t->v, t->n, t->cap);
	t->v[t->n++] = (struct memfile){xstrdup(path), data ? xstrndup(data, len) : NULL, data ? len : 0};
	t->bytes += data ? len : 0;
	t->sorted = false;
	return 0;
}

/* By path; equal paths keep their order of addition (the index breaks
 * ties), so that the later copy can win. */
struct ranked {
	struct memfile f;
	size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = strcmp(x->f.path, y->f.path);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

void memtree_finish(struct memtree *t)
{
	if (t->sorted)
		return;
	struct ranked *r = xcalloc(t->n, sizeof(*r));
	for (size_t i = 0; i < t->n; i++)
		r[i] = (struct ranked){t->v[i], i};
	qsort(r, t->n, sizeof(*r), cmp_ranked);
	size_t o = 0;
	t->bytes = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (i + 1 < t->n && !strcmp(r[i].f.path, r[i + 1].f.path)) {
			free(r[i].f.path);
			free(r[i].f.data);
			continue;
		}
		t->v[o++] = r[i].f;
		t->bytes += r[i].f.len;
	}
	t->n = o;
	free(r);
	t->sorted = true;
}

void memtree_free(struct memtree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].data);
	}
	free(t->v);
	*t = (struct memtree){0};
}

/* First index whose path is >= key. */
static size_t lower_bound(const struct memtree *t, const char *key)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(t->v[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct memfile *memtree_file(struct memtree *t, const char *path)
{
	memtree_finish(t);
	size_t i = lower_bound(t, path);
	return i < t->n && !strcmp(t->v[i].path, path) && t->v[i].data ? &t->v[i] : NULL;
}

static bool is_top(const char *path) { return !*path || !strcmp(path, "."); }

bool memtree_is_dir(struct memtree *t, const char *path)
{
	memtree_finish(t);
	if (is_top(path))
		return true;
	size_t i = lower_bound(t, path);
	if (i < t->n && !strcmp(t->v[i].path, path) && !t->v[i].data)
		return true;
	_cleanup_free_ char *prefix = xasprintf("%s/", path);
	i = lower_bound(t, prefix);
	return i < t->n && str_starts_with(t->v[i].path, prefix);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int memtree_list(struct memtree *t, const char *path, char ***ret_names)
{
	if (!memtree_is_dir(t, path))
		return memtree_file(t, path) ? -ENOTDIR : -ENOENT;
	_cleanup_free_ char *prefix = is_top(path) ? xstrdup("") : xasprintf("%s/", path);
	size_t plen = strlen(prefix), n = 0, cap = 0;
	char **v = NULL;
	for (size_t i = lower_bound(t, prefix); i < t->n && str_starts_with(t->v[i].path, prefix); i++) {
		const char *rest = t->v[i].path + plen;
		size_t len = strcspn(rest, "/");
		if (n && strlen(v[n - 1]) == len && !strncmp(v[n - 1], rest, len))
			continue;
		ARRAY_GROW(v, n + 1, cap);
		v[n++] = xstrndup(rest, len);
	}
	/* "a" and "a/b" need not be neighbours ("a.c" sorts between). */
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (o && !strcmp(v[o - 1], v[i])) {
			free(v[i]);
			continue;
		}
		v[o++] = v[i];
	}
	ARRAY_GROW(v, o + 1, cap);
	v[o] = NULL;
	*ret_names = v;
	return 0;
}

/* Helpers shared by the detector suites (tests/unit/test_<mechanism>.c
 * and test_detect.c): a tree run through the real data path (sysroot ->
 * collect -> detect -> metrics), lookups in its findings, skips and
 * metrics, inputs built by hand, and trees written under a per-suite
 * temporary directory. */
#ifndef KSTALL_DETECTUTIL_H
#define KSTALL_DETECTUTIL_H

#include "testutil.h"
#include "detect/detect.h"

#include <math.h>

struct run {
	struct inputs in;
	struct findings f;
	struct skips s;
	struct metrics m;
};

static inline void run_tree(const char *path, struct run *r)
{
	struct sysroot *root;
	struct collect_opts o = {.interval_s = 1};

	memset(r, 0, sizeof(*r));
	if (sysroot_open(path, &root) < 0)
		fail_msg("cannot open %s", path);
	assert_int_equal(collect(root, &o, &r->in), 0);
	detect_all(&r->in, 0, &r->f, &r->s);
	metrics_collect(&r->in, &r->m);
	sysroot_free(root);
}

static inline void run_free(struct run *r)
{
	findings_free(&r->f);
	skips_free(&r->s);
	metrics_free(&r->m);
	inputs_free(&r->in);
}

static inline const struct finding *find(const struct run *r, const char *id)
{
	for (size_t i = 0; i < r->f.n; i++)
		if (!strcmp(r->f.v[i].id, id))
			return &r->f.v[i];
	return NULL;
}

static inline const struct skip *skipped(const struct run *r, const char *id)
{
	for (size_t i = 0; i < r->s.n; i++)
		if (!strcmp(r->s.v[i].detector, id))
			return &r->s.v[i];
	return NULL;
}

static inline double ev(const struct finding *f, const char *name)
{
	const struct evidence *e = finding_evidence(f, name);
	if (!e || !e->is_num)
		fail_msg("%s: no numeric evidence %s", f->id, name);
	return e->num;
}

static inline double metric(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->m.n; i++)
		if (!strcmp(r->m.v[i].name, name))
			return r->m.v[i].value;
	fail_msg("no metric %s", name);
	return 0;
}

static inline void assert_no_warning(const struct run *r, const char *what)
{
	for (size_t i = 0; i < r->f.n; i++)
		if (r->f.v[i].severity >= SEV_WARNING)
			fail_msg("%s: unexpected %s %s", what, severity_name(r->f.v[i].severity), r->f.v[i].id);
}

/* Trees made by tests live here; the group's teardown removes it, even
 * after a failed assertion. */
static char tmpdir[] = "/tmp/kstall-test-detect-XXXXXX";
static inline int group_setup(void **state UNUSED) { return mkdtemp(tmpdir) ? 0 : -1; }
static inline int group_teardown(void **state UNUSED)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static inline void put(const char *dir, const char *rel, const char *text)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, rel);
	_cleanup_free_ char *cmd = xasprintf("mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static inline const struct metric *metric_of(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->m.n; i++)
		if (!strcmp(r->m.v[i].name, name))
			return &r->m.v[i];
	fail_msg("no metric %s", name);
	return NULL;
}

/* A figure marked unknown, with a reason naming why: a string in place
 * of the number, never 0. */
static inline void assert_unknown(const struct finding *f, const char *name, const char *why)
{
	const struct evidence *e = finding_evidence(f, name);
	if (!e)
		fail_msg("%s: no evidence %s", f->id, name);
	if (e->is_num)
		fail_msg("%s: %s is %g, expected unknown (%s)", f->id, name, e->num, why);
	if (!str_starts_with(e->str, "unknown: ") || !strstr(e->str, why))
		fail_msg("%s: %s is \"%s\", expected \"unknown: ...%s...\"", f->id, name, e->str, why);
}

static inline void assert_skip_names(const struct run *r, const char *id, const char *why)
{
	const struct skip *s = skipped(r, id);
	if (!s)
		fail_msg("%s is not in skipped", id);
	if (!strstr(s->reason, why))
		fail_msg("%s skipped for \"%s\", which does not name \"%s\"", id, s->reason, why);
}

static inline bool has_metric(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->m.n; i++)
		if (!strcmp(r->m.v[i].name, name))
			return true;
	return false;
}

static inline void rm_path(const char *dir, const char *rel)
{
	_cleanup_free_ char *cmd = xasprintf("rm -r '%s/%s'", dir, rel);
	assert_int_equal(system(cmd), 0);
}

static inline void detect_inputs(const struct inputs *in, struct findings *f, struct skips *s)
{
	*f = (struct findings){0};
	*s = (struct skips){0};
	detect_all(in, 0, f, s);
}

static inline const struct finding *find_in(const struct findings *f, const char *id)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].id, id))
			return &f->v[i];
	return NULL;
}

static inline const struct skip *skip_in(const struct skips *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].detector, id))
			return &s->v[i];
	return NULL;
}

static inline void absent(struct src *s, const char *path)
{
	*s = (struct src){.state = SRC_ABSENT};
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(s->why, sizeof(s->why), "%s: No such file or directory", path);
}

#endif

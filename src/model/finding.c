#include "finding.h"

static const char *const sev_names[] = {"info", "warning", "critical"};

const char *severity_name(enum severity s)
{
	return sev_names[s];
}

int severity_parse(const char *s, enum severity *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(sev_names); i++)
		if (!strcmp(s, sev_names[i])) {
			*ret = (enum severity)i;
			return 0;
		}
	return -EINVAL;
}

const char *subject_kind_name(enum subject_kind k)
{
	static const char *const n[] = {"host", "process", "cpu", "device", "interface", "bdi"};
	return n[k];
}

struct finding *findings_add(struct findings *f, const char *id, enum severity sev)
{
	ARRAY_GROW(f->v, f->n, f->cap);
	struct finding *x = &f->v[f->n++];
	*x = (struct finding){0};
	x->id = xstrdup(id);
	x->severity = sev;
	return x;
}

static char *vfmt(const char *fmt, va_list ap)
{
	char *p;
	if (vasprintf(&p, fmt, ap) < 0)
		abort();
	return p;
}

void finding_title(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(f->title);
	f->title = vfmt(fmt, ap);
	va_end(ap);
}

void finding_summary(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(f->summary);
	f->summary = vfmt(fmt, ap);
	va_end(ap);
}

static struct evidence *ev_new(struct finding *f, const char *name, const char *unit, const char *source)
{
	ARRAY_GROW(f->ev, f->nev, f->capev);
	struct evidence *e = &f->ev[f->nev++];
	*e = (struct evidence){0};
	e->name = xstrdup(name);
	e->unit = xstrdup(unit ? unit : "");
	e->source = xstrdup(source ? source : "");
	return e;
}

void finding_num(struct finding *f, const char *name, double v, const char *unit, const char *source)
{
	struct evidence *e = ev_new(f, name, unit, source);
	e->is_num = true;
	e->num = v;
}

void finding_str(struct finding *f, const char *name, const char *v, const char *source)
{
	ev_new(f, name, U_NONE, source)->str = xstrdup(v);
}

void finding_unknown(struct finding *f, const char *name, const char *unit, const char *source, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *why = vfmt(fmt, ap);
	va_end(ap);
	ev_new(f, name, unit, source)->str = xasprintf(EVIDENCE_UNKNOWN "%s", why);
}

bool evidence_is_unknown(const struct evidence *e)
{
	return e && !e->is_num && e->str && str_starts_with(e->str, EVIDENCE_UNKNOWN);
}

struct subject *finding_subject(struct finding *f, enum subject_kind k, const char *name)
{
	ARRAY_GROW(f->subj, f->nsubj, f->capsubj);
	struct subject *s = &f->subj[f->nsubj++];
	*s = (struct subject){0};
	s->kind = k;
	s->name = name ? xstrdup(name) : NULL;
	return s;
}

struct subject *finding_process(struct finding *f, int pid, const char *comm, const char *role)
{
	struct subject *s = finding_subject(f, SUBJ_PROCESS, NULL);
	s->pid = pid;
	s->comm = xstrdup(comm);
	s->role = role ? xstrdup(role) : NULL;
	return s;
}

void finding_remedy(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ARRAY_GROW(f->remedy, f->nremedy, f->capremedy);
	f->remedy[f->nremedy++] = vfmt(fmt, ap);
	va_end(ap);
}

void finding_ref(struct finding *f, const char *ref)
{
	ARRAY_GROW(f->refs, f->nrefs, f->caprefs);
	f->refs[f->nrefs++] = xstrdup(ref);
}

const struct evidence *finding_evidence(const struct finding *f, const char *name)
{
	for (size_t i = 0; i < f->nev; i++)
		if (!strcmp(f->ev[i].name, name))
			return &f->ev[i];
	return NULL;
}

static void finding_free(struct finding *f)
{
	free(f->id);
	free(f->title);
	free(f->summary);
	for (size_t i = 0; i < f->nev; i++) {
		free(f->ev[i].name);
		free(f->ev[i].str);
		free(f->ev[i].unit);
		free(f->ev[i].source);
	}
	free(f->ev);
	for (size_t i = 0; i < f->nsubj; i++) {
		free(f->subj[i].comm);
		free(f->subj[i].name);
		free(f->subj[i].role);
	}
	free(f->subj);
	for (size_t i = 0; i < f->nremedy; i++)
		free(f->remedy[i]);
	free(f->remedy);
	for (size_t i = 0; i < f->nrefs; i++)
		free(f->refs[i]);
	free(f->refs);
}

void findings_free(struct findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		finding_free(&f->v[i]);
	free(f->v);
	*f = (struct findings){0};
}

static int cmp_finding(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return strcmp(x->id, y->id);
}

void findings_sort(struct findings *f)
{
	if (f->n > 1)
		qsort(f->v, f->n, sizeof(*f->v), cmp_finding);
}

enum severity findings_max(const struct findings *f, bool *any)
{
	enum severity m = SEV_INFO;
	*any = f->n > 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].severity > m)
			m = f->v[i].severity;
	return m;
}

void skips_add(struct skips *s, const char *detector, const char *fmt, ...)
{
	va_list ap;
	ARRAY_GROW(s->v, s->n, s->cap);
	s->v[s->n].detector = xstrdup(detector);
	va_start(ap, fmt);
	s->v[s->n].reason = vfmt(fmt, ap);
	va_end(ap);
	s->n++;
}

void skips_free(struct skips *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].detector);
		free(s->v[i].reason);
	}
	free(s->v);
	*s = (struct skips){0};
}

void metrics_add(struct metrics *m, const char *name, double v, const char *unit)
{
	ARRAY_GROW(m->v, m->n, m->cap);
	m->v[m->n++] = (struct metric){.name = xstrdup(name), .value = v, .unit = xstrdup(unit)};
}

void metrics_addf(struct metrics *m, double v, const char *unit, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *name = vfmt(fmt, ap);
	va_end(ap);
	ARRAY_GROW(m->v, m->n, m->cap);
	m->v[m->n++] = (struct metric){.name = name, .value = v, .unit = xstrdup(unit)};
}

void metrics_set_per_cpu(struct metrics *m, const struct metric_cpu *v, size_t n)
{
	if (!m->n || !n)
		return;
	struct metric *x = &m->v[m->n - 1];
	free(x->per_cpu);
	x->per_cpu = xcalloc(n, sizeof(*v));
	memcpy(x->per_cpu, v, n * sizeof(*v));
	x->nper_cpu = n;
}

void metrics_set_desc(struct metrics *m, const char *desc)
{
	if (!m->n || !desc || !*desc)
		return;
	free(m->v[m->n - 1].desc);
	m->v[m->n - 1].desc = str_squeeze_blanks(xstrdup(desc)); /* the kernel pads its columns */
}

void metrics_free(struct metrics *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].name);
		free(m->v[i].unit);
		free(m->v[i].desc);
		free(m->v[i].per_cpu);
	}
	free(m->v);
	*m = (struct metrics){0};
}

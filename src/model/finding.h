/* Findings: what detectors return and renderers format. */
#ifndef KSTALL_FINDING_H
#define KSTALL_FINDING_H

#include "../lib/util.h"

enum severity { SEV_INFO, SEV_WARNING, SEV_CRITICAL };
const char *severity_name(enum severity s);
int severity_parse(const char *s, enum severity *ret);

/* Units a program can rely on. Renderers turn them into what a person
 * reads (GiB, %, ms). */
#define U_COUNT "count"
#define U_BYTES "bytes"
#define U_RATIO "ratio"     /* 0..1 */
#define U_PER_S "per_s"
#define U_BYTES_PER_S "bytes_per_s"
#define U_SECONDS "s"
#define U_NONE ""
#define U_ID "id"          /* a number that names something: a CPU, IRQ, pid or tid */

struct evidence {
	char *name;
	bool is_num;
	double num;
	char *str;
	char *unit;
	char *source; /* file or probe */
};

enum subject_kind { SUBJ_HOST, SUBJ_PROCESS, SUBJ_CPU, SUBJ_DEVICE, SUBJ_INTERFACE, SUBJ_BDI };
const char *subject_kind_name(enum subject_kind k);

struct subject {
	enum subject_kind kind;
	int pid;      /* host pid; process only */
	char *comm;   /* process only */
	char *name;   /* cpu number, device, interface, bdi, host name */
	char *role;   /* "producer", "victim", "reclaimer"...; may be NULL */
};

struct finding {
	char *id;
	enum severity severity;
	char *title;
	char *summary;
	struct evidence *ev;
	size_t nev, capev;
	struct subject *subj;
	size_t nsubj, capsubj;
	char **remedy;
	size_t nremedy, capremedy;
	char **refs;
	size_t nrefs, caprefs;
};

struct findings {
	struct finding *v;
	size_t n, cap;
};

struct finding *findings_add(struct findings *f, const char *id, enum severity sev);
void finding_title(struct finding *f, const char *fmt, ...) PRINTF_FMT(2, 3);
void finding_summary(struct finding *f, const char *fmt, ...) PRINTF_FMT(2, 3);
void finding_num(struct finding *f, const char *name, double v, const char *unit, const char *source);
void finding_str(struct finding *f, const char *name, const char *v, const char *source);
/* A figure that could not be had: the string "unknown: WHY" in place of
 * its number (unit and source as it would have had), so a missing file
 * costs one figure and says which, and is never read as 0. */
void finding_unknown(struct finding *f, const char *name, const char *unit, const char *source, const char *fmt, ...)
	PRINTF_FMT(5, 6);
/* Is e such a figure? */
bool evidence_is_unknown(const struct evidence *e);
#define EVIDENCE_UNKNOWN "unknown: "
struct subject *finding_subject(struct finding *f, enum subject_kind k, const char *name);
struct subject *finding_process(struct finding *f, int pid, const char *comm, const char *role);
void finding_remedy(struct finding *f, const char *fmt, ...) PRINTF_FMT(2, 3);
void finding_ref(struct finding *f, const char *ref);
const struct evidence *finding_evidence(const struct finding *f, const char *name);
void findings_free(struct findings *f);
/* Most severe first, then by id: output order does not depend on the
 * registry's order. */
void findings_sort(struct findings *f);
enum severity findings_max(const struct findings *f, bool *any);

struct skip {
	char *detector;
	char *reason;
};
struct skips {
	struct skip *v;
	size_t n, cap;
};
void skips_add(struct skips *s, const char *detector, const char *fmt, ...) PRINTF_FMT(3, 4);
void skips_free(struct skips *s);

/* Flat, dotted metric names ("memory.slab"), one unit each. A metric may
 * carry its breakdown by CPU (value is then the host's figure) and a
 * description (an interrupt line's device). */
struct metric_cpu {
	int cpu;
	double v;
};
struct metric {
	char *name;
	double value;
	char *unit;
	char *desc;                /* NULL if none */
	struct metric_cpu *per_cpu; /* NULL if none */
	size_t nper_cpu;
};
struct metrics {
	struct metric *v;
	size_t n, cap;
};
void metrics_add(struct metrics *m, const char *name, double v, const char *unit);
void metrics_addf(struct metrics *m, double v, const char *unit, const char *fmt, ...) PRINTF_FMT(4, 5);
/* Attach to the last metric added: a per-CPU breakdown (copied) and a
 * description. */
void metrics_set_per_cpu(struct metrics *m, const struct metric_cpu *v, size_t n);
void metrics_set_desc(struct metrics *m, const char *desc);
void metrics_free(struct metrics *m);

#endif

/* watch's live view (live.h): the screen on a terminal, or one line per
 * interval. Host strings pass through sanitize_tty, as in text.c. */
#include "live.h"

static int cmp_hist_sum(const void *a, const void *b)
{
	const struct tr_hist *x = *(const struct tr_hist *const *)a, *y = *(const struct tr_hist *const *)b;
	double sx = tr_hist_total_s(x), sy = tr_hist_total_s(y);
	return (sx < sy) - (sx > sy);
}

/* The 15 heaviest waits per (process, kind, detail). */
static void top_waits(FILE *out, const struct traced *t)
{
	char a[32], b[32], c[32];
	const struct tr_hist **v = xcalloc(t->nhists + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < t->nhists; i++)
		if (!tr_kind_is_irq(t->hists[i].kind)) /* per CPU, not per process */
			v[n++] = &t->hists[i];
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_hist_sum);
	fprintf(out, "\n%-16s %8s %-16s %-24s %8s %10s %10s\n", "WAIT", "PID", "COMM", "DETAIL", "COUNT", "TOTAL",
		"WORST");
	for (size_t i = 0; i < n && i < 15; i++) {
		char *comm = sanitize_tty(v[i]->comm), len[32];
		if (tr_kind_is_vmop(v[i]->kind))
			fmt_bytes((double)v[i]->detail, len, sizeof(len));
		/* 24 columns, cut between escapes and characters, not in one */
		char *detail = sanitize_tty_max(tr_kind_is_vmop(v[i]->kind) ? len : v[i]->name, 24);
		fprintf(out, "%-16s %8u %-16s %-24s %8s %10s %10s\n", tr_kind_name(v[i]->kind), v[i]->tgid, comm,
			detail, fmt_count((double)v[i]->count, a, sizeof(a)),
			fmt_duration(tr_hist_total_s(v[i]), b, sizeof(b)),
			fmt_duration((double)v[i]->max_ns / 1e9, c, sizeof(c)));
		free(detail);
		free(comm);
	}
	free(v);
}

/* The 8 processes with the most failed lookups. */
static void top_failed_lookups(FILE *out, const struct traced *t)
{
	char a[32], b[32];
	const struct tr_lookup **lv = xcalloc(t->nlookups + 1, sizeof(*lv));

	fprintf(out, "\n%-16s %8s %-16s %12s %12s\n", "FAILED LOOKUPS", "PID", "COMM", "ENOENT/s", "TOTAL");
	for (size_t i = 0; i < t->nlookups; i++)
		lv[i] = &t->lookups[i];
	if (t->nlookups > 1)
		qsort(lv, t->nlookups, sizeof(*lv), tr_lookup_cmp_failed);
	for (size_t i = 0, shown = 0; i < t->nlookups && shown < 8; i++) {
		const struct tr_lookup *l = lv[i];
		if (!l->failed)
			continue;
		char *comm = sanitize_tty(l->comm);
		fprintf(out, "%-16s %8u %-16s %12s %12s\n", "", l->tgid, comm,
			fmt_rate((double)l->failed / t->duration_s, a, sizeof(a)),
			fmt_count((double)l->failed, b, sizeof(b)));
		free(comm);
		shown++;
	}
	free(lv);
}

void render_live_screen(FILE *out, const struct report *rep, const struct traced *t)
{
	char d[32];
	render_live_clear(out);
	fprintf(out, "kstall watch  %s traced  (Ctrl-C for the full report)\n\n",
		fmt_duration(t->duration_s, d, sizeof(d)));
	if (!rep->findings.n)
		fprintf(out, "no findings so far\n");
	for (size_t i = 0; i < rep->findings.n; i++) {
		char *title = sanitize_tty(rep->findings.v[i].title ? rep->findings.v[i].title : "");
		fprintf(out, "%-8s %-34s %s\n", severity_name(rep->findings.v[i].severity), rep->findings.v[i].id,
			title);
		free(title);
	}
	top_waits(out, t);
	top_failed_lookups(out, t);
	if (t->ringbuf_lost || t->hist_full || t->waits_full || t->lookups_full || t->vmops_full)
		fprintf(out, "\nlost: %" PRIu64 " events (ring buffer full), %" PRIu64 " waits (maps full)\n",
			t->ringbuf_lost, t->hist_full + t->waits_full + t->lookups_full + t->vmops_full);
}

void render_live_line(FILE *out, const struct report *rep, const struct traced *t)
{
	unsigned crit = 0, warn = 0;
	uint64_t stalls = 0, stall_max = 0, failed = 0;

	for (size_t i = 0; i < rep->findings.n; i++) {
		crit += rep->findings.v[i].severity == SEV_CRITICAL;
		warn += rep->findings.v[i].severity == SEV_WARNING;
	}
	for (size_t i = 0; i < t->nhists; i++)
		if (t->hists[i].kind == TR_DIRECT_RECLAIM || t->hists[i].kind == TR_MEMCG_RECLAIM) {
			stalls += t->hists[i].count;
			if (t->hists[i].max_ns > stall_max)
				stall_max = t->hists[i].max_ns;
		}
	for (size_t i = 0; i < t->nlookups; i++)
		failed += t->lookups[i].failed;
	fprintf(out, "t=%.0fs findings=%zu critical=%u warning=%u reclaim_stalls=%" PRIu64 " worst_ms=%.1f "
		     "failed_lookups=%" PRIu64 " lost=%" PRIu64,
		t->duration_s, rep->findings.n, crit, warn, stalls, (double)stall_max / 1e6, failed,
		t->ringbuf_lost + t->hist_full + t->waits_full + t->lookups_full + t->vmops_full);
	for (size_t i = 0; i < rep->findings.n && i < 3; i++)
		fprintf(out, " [%s]", rep->findings.v[i].id);
	fprintf(out, "\n");
}

void render_live_clear(FILE *out)
{
	fprintf(out, "\033[H\033[2J");
}

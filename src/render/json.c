/* One JSON document per run, built with json-c. */
#include "render.h"

#include <json-c/json.h>
#include <math.h>

static json_object *jstr(const char *s)
{
	if (!s)
		return NULL;
	char *c = sanitize_utf8(s);
	json_object *o = json_object_new_string(c);
	free(c);
	return o;
}

/* json-c escapes C0 controls but writes DEL, C1 controls and the bidi and
 * separator code points raw (see codepoint_unsafe). Outside strings a
 * JSON document holds only ASCII (punctuation, numbers, true, false,
 * null, whitespace), so wherever they occur they are inside a string (a
 * value or a key), where
 * "\uXXXX" is the same character: the document parses to the same values
 * and paints no terminal it is printed to. Invalid UTF-8 (only possible in
 * a key: every value went through sanitize_utf8) becomes U+FFFD. */
static char *json_inert(const char *doc)
{
	struct buf b = {0};

	buf_reserve(&b, strlen(doc));
	while (*doc) {
		uint32_t cp;
		size_t n = utf8_decode(doc, &cp);
		if (n == 0) {
			buf_append(&b, "\xef\xbf\xbd", 3);
			doc++;
			continue;
		}
		if (cp == 0x7f || codepoint_unsafe(cp))
			buf_printf(&b, "\\u%04x", (unsigned)cp);
		else
			buf_append(&b, doc, n);
		doc += n;
	}
	buf_reserve(&b, 0);
	return b.data;
}

static json_object *jnum(double v)
{
	if (!isfinite(v))
		return NULL;
	if (v == floor(v) && fabs(v) < 9e15)
		return json_object_new_int64((int64_t)v);
	return json_object_new_double(v);
}

static json_object *finding_json(const struct inputs *in, const struct finding *f)
{
	json_object *o = json_object_new_object();
	json_object *ev = json_object_new_array(), *sj = json_object_new_array(),
		    *rem = json_object_new_array(), *refs = json_object_new_array();

	json_object_object_add(o, "id", jstr(f->id));
	json_object_object_add(o, "severity", jstr(severity_name(f->severity)));
	json_object_object_add(o, "title", jstr(f->title ? f->title : ""));
	json_object_object_add(o, "summary", jstr(f->summary ? f->summary : ""));
	for (size_t i = 0; i < f->nev; i++) {
		const struct evidence *e = &f->ev[i];
		json_object *x = json_object_new_object();
		json_object_object_add(x, "name", jstr(e->name));
		json_object_object_add(x, "value", e->is_num ? jnum(e->num) : jstr(e->str));
		json_object_object_add(x, "unit", jstr(e->unit));
		json_object_object_add(x, "source", jstr(e->source));
		json_object_array_add(ev, x);
	}
	for (size_t i = 0; i < f->nsubj; i++) {
		const struct subject *s = &f->subj[i];
		json_object *x = json_object_new_object();
		json_object_object_add(x, "kind", jstr(subject_kind_name(s->kind)));
		if (s->kind == SUBJ_PROCESS) {
			json_object_object_add(x, "pid", json_object_new_int(s->pid));
			json_object_object_add(x, "comm", jstr(s->comm));
			const struct proc_entry *p = sample_proc(&in->cur, s->pid);
			if (p && p->cmdline && *p->cmdline)
				json_object_object_add(x, "cmdline", jstr(p->cmdline));
			/* In another pid namespace (a container): its pid there too. */
			if (p && p->status && p->status->nnspid > 1)
				json_object_object_add(x, "nspid",
						       json_object_new_int(p->status->nspid[p->status->nnspid - 1]));
		}
		if (s->name)
			json_object_object_add(x, "name", jstr(s->name));
		if (s->role)
			json_object_object_add(x, "role", jstr(s->role));
		json_object_array_add(sj, x);
	}
	for (size_t i = 0; i < f->nremedy; i++)
		json_object_array_add(rem, jstr(f->remedy[i]));
	for (size_t i = 0; i < f->nrefs; i++)
		json_object_array_add(refs, jstr(f->refs[i]));
	json_object_object_add(o, "evidence", ev);
	json_object_object_add(o, "subjects", sj);
	json_object_object_add(o, "remedy", rem);
	json_object_object_add(o, "references", refs);
	return o;
}

/* Receive and transmit queues: RPS (rx-N/rps_cpus), RFS (rps_flow_cnt,
 * and net.core.rps_sock_flow_entries in sysctl) and XPS (tx-N/xps_cpus). */
static json_object *net_queues_json(const struct inputs *in)
{
	const struct host *h = &in->host;
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < h->nqueues; i++) {
		const struct netqueue *q = &h->queues[i];
		json_object *x = json_object_new_object();
		bool rx = str_starts_with(q->queue, "rx-");
		char list[1024];
		json_object_object_add(x, "interface", jstr(q->iface));
		json_object_object_add(x, "queue", jstr(q->queue));
		if (q->has_mask)
			cpuset_format(&q->mask, list, sizeof(list));
		json_object_object_add(x, rx ? "rps_cpus" : "xps_cpus", q->has_mask ? jstr(list) : NULL);
		if (rx)
			json_object_object_add(x, "rps_flow_cnt",
					       q->rps_flow_cnt >= 0 ? json_object_new_int64(q->rps_flow_cnt) : NULL);
		json_object_array_add(a, x);
	}
	return a;
}

/* Where each IRQ may run (proc/irq/N/smp_affinity), with its device from
 * /proc/interrupts. */
static json_object *irq_affinity_json(const struct inputs *in)
{
	const struct host *h = &in->host;
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < h->nirqs; i++) {
		json_object *x = json_object_new_object();
		char list[1024], label[16];
		cpuset_format(&h->irqs[i].mask, list, sizeof(list));
		snprintf(label, sizeof(label), "%u", h->irqs[i].irq);
		const struct irq_row *r = in->cur.s_interrupts.state == SRC_OK ? irq_table_row(&in->cur.interrupts, label, 0) : NULL;
		json_object_object_add(x, "irq", json_object_new_int64(h->irqs[i].irq));
		json_object_object_add(x, "cpus", jstr(list));
		_cleanup_free_ char *dev = r && r->desc[0] ? str_squeeze_blanks(xstrdup(r->desc)) : NULL;
		json_object_object_add(x, "device", dev ? jstr(dev) : NULL);
		json_object_array_add(a, x);
	}
	return a;
}

/* Every backing device's limits (null where the kernel has no such
 * file), with the mount it backs. */
static json_object *bdis_json(const struct inputs *in)
{
	const struct host *h = &in->host;
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < h->nbdis; i++) {
		const struct bdi *b = &h->bdis[i];
		json_object *x = json_object_new_object();
		unsigned n;
		const struct mount *m = host_mount_of_bdi(h, b, &n);
		json_object_object_add(x, "name", jstr(b->name));
		json_object_object_add(x, "min_ratio", b->min_ratio >= 0 ? json_object_new_int64(b->min_ratio) : NULL);
		json_object_object_add(x, "max_ratio", b->max_ratio >= 0 ? json_object_new_int64(b->max_ratio) : NULL);
		json_object_object_add(x, "max_bytes", b->max_bytes >= 0 ? json_object_new_int64(b->max_bytes) : NULL);
		json_object_object_add(x, "strict_limit", b->strict_limit >= 0 ? json_object_new_int64(b->strict_limit) : NULL);
		json_object_object_add(x, "mount", m ? jstr(m->mountpoint) : NULL);
		json_object_object_add(x, "fstype", m ? jstr(m->fstype) : NULL);
		json_object_object_add(x, "mounts", json_object_new_int((int)n));
		json_object_array_add(a, x);
	}
	return a;
}

static json_object *host_json(const struct inputs *in)
{
	const struct host *h = &in->host;
	json_object *o = json_object_new_object(), *cpus = json_object_new_object();
	uint64_t mt;

	json_object_object_add(o, "hostname", jstr(h->hostname));
	json_object_object_add(o, "kernel", h->has_kver ? jstr(h->kver.release) : NULL);
	if (h->s_online.state == SRC_OK)
		json_object_object_add(cpus, "online", json_object_new_int((int)cpuset_count(&h->online)));
	else if (in->cur.s_stat.state == SRC_OK)
		json_object_object_add(cpus, "online", json_object_new_int((int)in->cur.stat.ncpus));
	if (h->s_possible.state == SRC_OK)
		json_object_object_add(cpus, "possible", json_object_new_int((int)cpuset_count(&h->possible)));
	json_object_object_add(o, "cpus", cpus);
	json_object_object_add(o, "memory_bytes",
			       meminfo_bytes(&in->cur, "MemTotal", &mt) == 0 ? jnum((double)mt) : NULL);
	json_object_object_add(o, "user_hz", json_object_new_int((int)h->user_hz));
	json_object_object_add(o, "net_queues", net_queues_json(in));
	json_object_object_add(o, "irq_affinity", irq_affinity_json(in));
	json_object_object_add(o, "bdis", bdis_json(in));
	json_object *dirty = json_object_new_object();
	static const char *const keys[] = {"vm.dirty_ratio", "vm.dirty_bytes", "vm.dirty_background_ratio",
					   "vm.dirty_background_bytes", "vm.dirty_expire_centisecs",
					   "vm.dirty_writeback_centisecs"};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		uint64_t v;
		json_object_object_add(dirty, keys[i] + 3,
				       kv_get(&h->sysctl, keys[i], &v) == 0 ? json_object_new_int64((int64_t)v) : NULL);
	}
	json_object_object_add(o, "dirty_settings", dirty);
	return o;
}

static json_object *window_json(const struct inputs *in)
{
	json_object *o = json_object_new_object();
	char ts[40];

	json_object_object_add(o, "mode", jstr(in->mode == WINDOW_INTERVAL ? "interval" : "since-boot"));
	json_object_object_add(o, "source", jstr(in->window_source));
	if (in->mode == WINDOW_INTERVAL) {
		format_utc(in->prev->t_real, ts, sizeof(ts));
		json_object_object_add(o, "start", in->prev->t_real > 0 ? jstr(ts) : NULL);
		format_utc(in->cur.t_real, ts, sizeof(ts));
		json_object_object_add(o, "end", in->cur.t_real > 0 ? jstr(ts) : NULL);
		json_object_object_add(o, "duration_s", jnum(in->interval_s));
		json_object_object_add(o, "samples", json_object_new_int(2));
		json_object_object_add(o, "sampling",
				       jstr("rate counters (stat, interrupts, softirqs, vmstat, softnet_stat, "
					    "dentry-state, per-process stat) read twice, duration_s apart"));
	} else {
		double boot = in->cur.s_stat.state == SRC_OK && in->cur.stat.has_btime && in->cur.stat.btime
				      ? (double)in->cur.stat.btime : 0;
		format_utc(boot, ts, sizeof(ts));
		json_object_object_add(o, "start", boot > 0 ? jstr(ts) : NULL);
		json_object_object_add(o, "end", NULL);
		json_object_object_add(o, "duration_s",
				       in->cur.s_uptime.state == SRC_OK ? jnum(in->cur.uptime_s) : NULL);
		json_object_object_add(o, "samples", json_object_new_int(1));
		json_object_object_add(o, "sampling",
				       jstr("one sample: rates are averages since boot (counters / uptime)"));
	}
	return o;
}

/* A -p target's layout, from its maps summary (see src/model/vma.h). */
static json_object *address_space_json(const struct inputs *in, const struct vma_summary *v)
{
	bool linear = in->host.has_kver && vma_linear_search(&in->host.kver);
	bool assumed = in->view.max_map_count_assumed;
	uint64_t limit = in->view.max_map_count;
	json_object *o = json_object_new_object(), *sizes = json_object_new_array(), *holes = json_object_new_array();
	json_object_object_add(o, "vmas", jnum((double)v->nvmas));
	json_object_object_add(o, "max_map_count", jnum((double)limit));
	json_object_object_add(o, "max_map_count_assumed", json_object_new_boolean(assumed));
	json_object_object_add(o, "mapped_bytes", jnum((double)v->mapped_bytes));
	for (size_t k = 0; k < v->ntop; k++) {
		json_object *s = json_object_new_object();
		json_object_object_add(s, "size_bytes", jnum((double)v->top_sizes[k].size));
		json_object_object_add(s, "count", jnum((double)v->top_sizes[k].count));
		if (linear)
			json_object_object_add(s, "search_steps", jnum((double)v->top_sizes[k].linear_steps));
		json_object_array_add(sizes, s);
	}
	json_object_object_add(o, "region_sizes", sizes);
	json_object_object_add(o, "holes", jnum((double)v->nholes));
	json_object_object_add(o, "hole_bytes", jnum((double)v->hole_bytes));
	json_object_object_add(o, "largest_hole_bytes", jnum((double)v->largest_hole));
	for (size_t b = 0; b < VMA_HOLE_BUCKETS; b++) {
		json_object *h = json_object_new_object();
		json_object_object_add(h, "max_bytes", vma_hole_bucket_max[b] == UINT64_MAX ? NULL
							: jnum((double)vma_hole_bucket_max[b]));
		json_object_object_add(h, "count", jnum((double)v->hole_buckets[b]));
		json_object_array_add(holes, h);
	}
	json_object_object_add(o, "hole_sizes", holes);
	json_object_object_add(o, "unmerged_neighbours", jnum((double)v->unmerged_neighbours));
	json_object_object_add(o, "search_model", jstr(linear ? "linear" : "tree"));
	json_object_object_add(o, "tree_search_steps", jnum(v->tree_steps));
	return o;
}

static json_object *processes_json(const struct inputs *in)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < in->npids; i++) {
		const struct proc_entry *p = sample_proc(&in->cur, in->pids[i]);
		json_object *x = json_object_new_object();
		json_object_object_add(x, "pid", json_object_new_int(in->pids[i]));
		if (!p) {
			json_object_object_add(x, "error", jstr("no such process"));
			json_object_array_add(a, x);
			continue;
		}
		json_object_object_add(x, "comm", jstr(p->stat.comm));
		char st[2] = {p->stat.state, 0};
		json_object_object_add(x, "state", jstr(st));
		json_object_object_add(x, "ppid", json_object_new_int(p->stat.ppid));
		json_object_object_add(x, "threads", json_object_new_int64(p->stat.num_threads));
		json_object_object_add(x, "cmdline", p->cmdline ? jstr(p->cmdline) : NULL);
		json_object_object_add(x, "vsize_bytes", jnum((double)p->stat.vsize));
		if (p->status && p->status->has_vm)
			json_object_object_add(x, "rss_bytes", jnum((double)p->status->vm_rss_kb * 1024));
		if (p->status && p->status->nnspid > 1)
			json_object_object_add(x, "nspid", json_object_new_int(p->status->nspid[p->status->nnspid - 1]));
		json_object_object_add(x, "vmas", p->vma ? json_object_new_int64((int64_t)p->vma->nvmas) : NULL);
		json_object_object_add(x, "address_space", p->vma ? address_space_json(in, p->vma) : NULL);
		double share = view_cpu_share(&in->view, p->stat.pid);
		json_object_object_add(x, "cpu_share", share >= 0 ? jnum(share) : NULL);
		json_object_object_add(x, "wchan", p->wchan ? jstr(p->wchan) : NULL);
		json_object *stk = json_object_new_array();
		for (size_t k = 0; k < p->stack.n; k++)
			json_object_array_add(stk, jstr(p->stack.funcs[k]));
		json_object_object_add(x, "kernel_stack", stk);
		json_object_array_add(a, x);
	}
	return a;
}

static json_object *hist_json(const struct tr_hist *h)
{
	json_object *x = json_object_new_object(), *sl = json_object_new_array();
	json_object_object_add(x, "kind", jstr(tr_kind_name(h->kind)));
	if (tr_kind_is_irq(h->kind)) {
		json_object_object_add(x, "cpu", json_object_new_int64(h->tgid));
		if (h->kind == TR_HARDIRQ) {
			json_object_object_add(x, "irq", json_object_new_int64((int64_t)h->detail));
			json_object_object_add(x, "handler", jstr(h->comm));
		} else if (h->kind == TR_KSOFTIRQD) {
			json_object_object_add(x, "ksoftirqd_pid", json_object_new_int64(h->max_tid));
		} else {
			json_object_object_add(x, "vector", jstr(tr_softirq_name(h->detail)));
		}
	} else {
		json_object_object_add(x, "pid", json_object_new_int64(h->tgid));
		json_object_object_add(x, "comm", jstr(h->comm));
	}
	if (tr_kind_is_mmap_lock(h->kind)) {
		char wh[48];
		json_object_object_add(x, "where", jstr(tr_ml_where(h->detail, wh, sizeof(wh))));
		if (h->kind == TR_ML_HOLD)
			json_object_object_add(x, "forks", jnum((double)h->extra1));
	}
	if (tr_kind_is_writeback(h->kind)) {
		char dev[32];
		snprintf(dev, sizeof(dev), "%u:%u", tr_dev_major(h->detail), tr_dev_minor(h->detail));
		json_object_object_add(x, "device", jstr(dev));
		if (h->kind != TR_WB_WAIT && h->count) {
			json_object_object_add(x, h->kind == TR_BDP ? "bdi_dirty_pages_mean" : "dirty_pages_mean",
					       jnum((double)h->extra1 / (double)h->count));
			json_object_object_add(x, h->kind == TR_BDP ? "bdi_setpoint_pages_mean" : "limit_pages_mean",
					       jnum((double)h->extra2 / (double)h->count));
		}
	}
	if (h->name[0])
		json_object_object_add(x, "detail", jstr(h->name));
	else if (h->kind == TR_KSWAPD)
		json_object_object_add(x, "node", json_object_new_int64((int64_t)h->detail));
	json_object_object_add(x, "count", jnum((double)h->count));
	json_object_object_add(x, "total_s", jnum(tr_hist_total_s(h)));
	if (h->untimed) /* total_s estimated from the timed calls; max_s theirs */
		json_object_object_add(x, "timed", jnum((double)tr_timed(h->count, h->untimed)));
	json_object_object_add(x, "max_s", jnum((double)h->max_ns / 1e9));
	json_object_object_add(x, "max_tid", json_object_new_int64(h->max_tid));
	if (h->kind == TR_SHRINKER) {
		json_object_object_add(x, "objects_scanned", jnum((double)h->extra2));
		json_object_object_add(x, "objects_freed", jnum((double)h->extra1));
	} else if (h->kind == TR_DIRECT_RECLAIM || h->kind == TR_MEMCG_RECLAIM) {
		json_object_object_add(x, "pages_reclaimed", jnum((double)h->extra1));
	} else if (tr_kind_is_vmop(h->kind)) {
		if (h->kind != TR_UNMAPPED_AREA)
			json_object_object_add(x, "length_bytes", jnum((double)h->detail));
		json_object_object_add(x, "failed", jnum((double)h->extra1));
		if (h->kind == TR_MMAP)
			json_object_object_add(x, "anonymous", jnum((double)h->extra2));
	}
	json_object_object_add(x, "p50_s", jnum(tr_hist_quantile(h, 0.5)));
	json_object_object_add(x, "p99_s", jnum(tr_hist_quantile(h, 0.99)));
	/* log2 buckets: slot i counts waits in [2^i, 2^(i+1)) microseconds */
	int last = -1;
	for (int i = 0; i < TR_HIST_SLOTS; i++)
		if (h->slots[i])
			last = i;
	for (int i = 0; i <= last; i++)
		json_object_array_add(sl, jnum((double)h->slots[i]));
	json_object_object_add(x, "log2_us_buckets", sl);
	return x;
}

static json_object *traced_json(const struct traced *t)
{
	json_object *o = json_object_new_object(), *w = json_object_new_array(), *l = json_object_new_array(),
		    *ev = json_object_new_array();
	json_object_object_add(o, "duration_s", jnum(t->duration_s));
	json_object_object_add(o, "threshold_ms", jnum(t->threshold_ms));
	json_object *vo = json_object_new_array(), *iq = json_object_new_array();
	for (size_t i = 0; i < t->nhists; i++)
		json_object_array_add(tr_kind_is_vmop(t->hists[i].kind)  ? vo
				      : tr_kind_is_irq(t->hists[i].kind) ? iq
									 : w,
				      hist_json(&t->hists[i]));
	/* softirq and hardirq handler runs, softirq raise-to-run, per CPU */
	json_object_object_add(o, "irqs", iq);
	json_object_object_add(o, "waits", w);
	/* mmap, munmap and searches for room, per process and length */
	json_object_object_add(o, "vm_ops", vo);
	for (size_t i = 0; i < t->nlookups; i++) {
		const struct tr_lookup *k = &t->lookups[i];
		if (!k->failed)
			continue;
		json_object *x = json_object_new_object(), *pa = json_object_new_array();
		json_object_object_add(x, "pid", json_object_new_int64(k->tgid));
		json_object_object_add(x, "comm", jstr(k->comm));
		json_object_object_add(x, "failed", jnum((double)k->failed));
		json_object_object_add(x, "calls", jnum((double)k->calls));
		/* Exited processes of one parent and name, together: pid is the
		 * last of them. Unknown in recordings before format 3. */
		if (k->known) {
			json_object_object_add(x, "processes", jnum((double)k->procs));
			json_object_object_add(x, "parent_pid", json_object_new_int64(k->ppid));
			json_object_object_add(x, "parent_comm", jstr(k->pcomm));
		}
		for (size_t j = 0; j < k->patterns.n && j < 10; j++) {
			json_object *p = json_object_new_object();
			json_object_object_add(p, "pattern", jstr(k->patterns.v[j].pattern));
			json_object_object_add(p, "samples", jnum((double)k->patterns.v[j].n));
			json_object_object_add(p, "example", jstr(k->patterns.v[j].example));
			json_object_array_add(pa, p);
		}
		json_object_object_add(x, "patterns", pa);
		json_object_array_add(l, x);
	}
	json_object_object_add(o, "failed_lookups", l);
	for (size_t i = 0; i < t->nevents; i++) {
		const struct tr_event *e = &t->events[i];
		json_object *x = json_object_new_object();
		json_object_object_add(x, "t_s", jnum(e->t_s));
		json_object_object_add(x, "kind", jstr(tr_kind_name(e->kind)));
		json_object_object_add(x, "tid", json_object_new_int64(e->tid));
		json_object_object_add(x, "pid", json_object_new_int64(e->tgid));
		json_object_object_add(x, "comm", jstr(e->comm));
		json_object_object_add(x, "duration_s", jnum((double)e->dur_ns / 1e9));
		if (e->name[0])
			json_object_object_add(x, "detail", jstr(e->name));
		if (tr_kind_is_mmap_lock(e->kind)) {
			char wh[48];
			json_object_object_add(x, "where", jstr(tr_ml_where(e->detail, wh, sizeof(wh))));
			if (e->detail & TR_ML_FAULT)
				json_object_object_add(x, "fault_address", jnum((double)e->extra1));
		}
		if (e->ml.present) {
			char wh[48];
			json_object *hd = json_object_new_object();
			json_object_object_add(hd, "tid", json_object_new_int64(e->ml.tid));
			json_object_object_add(hd, "pid", json_object_new_int64(e->ml.tgid));
			json_object_object_add(hd, "comm", jstr(e->ml.comm));
			json_object_object_add(hd, "where", jstr(tr_ml_where(e->ml.where, wh, sizeof(wh))));
			json_object_object_add(hd, "hold_s", jnum((double)e->ml.hold_ns / 1e9));
			json_object_object_add(hd, "clone_flags", jnum((double)e->ml.flags));
			json_object_object_add(hd, "map_count", jnum((double)e->ml.map_count));
			json_object_object_add(hd, "total_vm_pages", jnum((double)e->ml.total_vm));
			json_object_object_add(x, "holder", hd);
		}
		json_object_array_add(ev, x);
	}
	json_object_object_add(o, "outliers", ev);
	return o;
}

/* [{detector, reason}]: what was skipped, or checked only in part. */
static void skips_json(json_object *arr, const struct skips *k)
{
	for (size_t i = 0; i < k->n; i++) {
		json_object *x = json_object_new_object();
		json_object_object_add(x, "detector", jstr(k->v[i].detector));
		json_object_object_add(x, "reason", jstr(k->v[i].reason));
		json_object_array_add(arr, x);
	}
}

int render_json(FILE *out, const struct report *r)
{
	const struct inputs *in = r->in;
	json_object *doc = json_object_new_object();
	json_object *fs = json_object_new_array(), *sk = json_object_new_array(),
		    *ur = json_object_new_array(), *er = json_object_new_array(),
		    *me = json_object_new_object();

	json_object_object_add(doc, "kstall_version", jstr(KSTALL_VERSION));
	json_object_object_add(doc, "host", host_json(in));
	json_object_object_add(doc, "window", window_json(in));
	for (size_t i = 0; i < r->findings.n; i++)
		json_object_array_add(fs, finding_json(in, &r->findings.v[i]));
	json_object_object_add(doc, "findings", fs);
	if (in->npids)
		json_object_object_add(doc, "processes", processes_json(in));
	skips_json(sk, &r->skips);
	json_object_object_add(doc, "skipped", sk);
	json_object *pa = json_object_new_array();
	skips_json(pa, &r->partial);
	json_object_object_add(doc, "partial", pa);
	for (size_t i = 0; i < in->nunreadable; i++) {
		const struct unreadable *u = &in->unreadable[i];
		json_object *x = json_object_new_object();
		json_object_object_add(x, "pid", json_object_new_int(u->pid));
		json_object_object_add(x, "comm", jstr(u->comm));
		json_object_object_add(x, "file", jstr(u->file));
		json_object_object_add(x, "reason", jstr(u->reason));
		json_object_array_add(ur, x);
	}
	json_object_object_add(doc, "unreadable", ur);
	for (size_t i = 0; i < in->nerrors; i++) {
		const struct errnote *e = &in->errors[i];
		json_object *x = json_object_new_object();
		json_object_object_add(x, "file", jstr(e->file));
		json_object_object_add(x, "line", e->line ? json_object_new_int((int)e->line) : NULL);
		json_object_object_add(x, "message", jstr(e->msg));
		json_object_array_add(er, x);
	}
	json_object_object_add(doc, "errors", er);
	if (in->traced)
		json_object_object_add(doc, "traced", traced_json(in->traced));
	for (size_t i = 0; i < r->metrics.n; i++) {
		json_object *x = json_object_new_object();
		json_object_object_add(x, "value", jnum(r->metrics.v[i].value));
		json_object_object_add(x, "unit", jstr(r->metrics.v[i].unit));
		if (r->metrics.v[i].desc)
			json_object_object_add(x, "description", jstr(r->metrics.v[i].desc));
		if (r->metrics.v[i].per_cpu) {
			/* {"CPU number": value}: CPUs can be offline or sparse */
			json_object *pc = json_object_new_object();
			for (size_t k = 0; k < r->metrics.v[i].nper_cpu; k++) {
				char cs[16];
				snprintf(cs, sizeof(cs), "%d", r->metrics.v[i].per_cpu[k].cpu);
				json_object_object_add(pc, cs, jnum(r->metrics.v[i].per_cpu[k].v));
			}
			json_object_object_add(x, "per_cpu", pc);
		}
		json_object_object_add(me, r->metrics.v[i].name, x);
	}
	if (r->kstall_cpu_s >= 0) {
		json_object *x = json_object_new_object();
		json_object_object_add(x, "value", jnum(r->kstall_cpu_s));
		json_object_object_add(x, "unit", jstr(U_SECONDS));
		json_object_object_add(me, "kstall.cpu_time", x);
	}
	json_object_object_add(doc, "metrics", me);

	const char *s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_SPACED |
							    JSON_C_TO_STRING_NOSLASHESCAPE);
	_cleanup_free_ char *safe = json_inert(s);
	int rc = fputs(safe, out) < 0 || fputc('\n', out) < 0 ? -EIO : 0;
	json_object_put(doc);
	return rc;
}

#include "recfile.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <sys/stat.h>
#include <zlib.h>

/* Frame: "KSREC1 T CLEN ULEN CRC\n" + CLEN bytes (zlib) + "\n", where
 * CLEN and ULEN are decimal, CRC the crc32 of the compressed bytes. */
int rec_write_frame(int fd, enum rec_type type, const char *json)
{
	uLong ulen = (uLong)strlen(json);
	uLongf clen = compressBound(ulen);
	struct buf b = {0};
	char head[96];

	if (ulen > REC_MAX_FRAME)
		return -EFBIG;
	unsigned char *z = xmalloc(clen);
	if (compress2(z, &clen, (const Bytef *)json, ulen, 6) != Z_OK) {
		free(z);
		return -EIO;
	}
	uLong crc = crc32(0, z, (uInt)clen);
	int hl = snprintf(head, sizeof(head), "%s %c %lu %lu %08lx\n", REC_MAGIC, type, (unsigned long)clen,
			  (unsigned long)ulen, (unsigned long)crc);
	buf_append(&b, head, (size_t)hl);
	buf_append(&b, z, clen);
	buf_append(&b, "\n", 1);
	free(z);
	const char *p = b.data;
	size_t left = b.len;
	int rc = 0;
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	buf_free(&b);
	return rc;
}

void rec_file_free(struct rec_file *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].json);
	free(f->v);
	*f = (struct rec_file){0};
}

int rec_read(const char *path, struct rec_file *ret)
{
	struct rec_file f = {0};
	struct buf b = {0};
	char tmp[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		buf_append(&b, tmp, (size_t)n);
	close(fd);
	if (n < 0) {
		buf_free(&b);
		return -EIO;
	}
	size_t off = 0;
	while (off < b.len) {
		const char *p = b.data + off;
		const char *nl = memchr(p, '\n', b.len - off < 96 ? b.len - off : 96);
		char type;
		unsigned long clen, ulen, crc;
		char magic[8];
		if (!nl || sscanf(p, "%6s %c %lu %lu %lx", magic, &type, &clen, &ulen, &crc) != 5 ||
		    strcmp(magic, REC_MAGIC) || clen > REC_MAX_FRAME || ulen > REC_MAX_FRAME) {
			snprintf(f.tail_reason, sizeof(f.tail_reason), "no frame header at byte %zu", off);
			break;
		}
		size_t body = (size_t)(nl + 1 - b.data);
		if (body + clen + 1 > b.len) {
			snprintf(f.tail_reason, sizeof(f.tail_reason), "last frame incomplete (%zu of %lu bytes)",
				 b.len - body, clen + 1);
			break;
		}
		const unsigned char *z = (const unsigned char *)b.data + body;
		if (crc32(0, z, (uInt)clen) != crc || b.data[body + clen] != '\n') {
			snprintf(f.tail_reason, sizeof(f.tail_reason), "frame at byte %zu fails its checksum", off);
			break;
		}
		char *json = xmalloc(ulen + 1);
		uLongf dl = ulen;
		if (uncompress((Bytef *)json, &dl, z, clen) != Z_OK || dl != ulen) {
			free(json);
			snprintf(f.tail_reason, sizeof(f.tail_reason), "frame at byte %zu does not decompress", off);
			break;
		}
		json[ulen] = '\0';
		ARRAY_GROW(f.v, f.n, f.cap);
		f.v[f.n++] = (struct rec_frame){(enum rec_type)type, json, off};
		off = body + clen + 1;
	}
	f.bytes_ignored = b.len - off;
	buf_free(&b);
	if (!f.n) {
		rec_file_free(&f);
		return -EINVAL;
	}
	*ret = f;
	return 0;
}

/* ---- traced <-> JSON ---- */

static json_object *u64(uint64_t v) { return json_object_new_int64((int64_t)v); }

static uint64_t get_u64(json_object *a, size_t i)
{
	return (uint64_t)json_object_get_int64(json_object_array_get_idx(a, i));
}

static const char *get_str(json_object *a, size_t i)
{
	const char *s = json_object_get_string(json_object_array_get_idx(a, i));
	return s ? s : "";
}

char *traced_to_json(const struct traced *t)
{
	json_object *o = json_object_new_object(), *h = json_object_new_array(), *l = json_object_new_array(),
		    *e = json_object_new_array();
	char hex[24];

	json_object_object_add(o, "duration_s", json_object_new_double(t->duration_s));
	json_object_object_add(o, "threshold_ms", json_object_new_double(t->threshold_ms));
	json_object_object_add(o, "groups", u64(t->groups));
	json_object_object_add(o, "nattached", u64(t->nattached));
	json_object *st = json_object_new_array();
	uint64_t stats[] = {t->ringbuf_lost, t->hist_full, t->waits_full, t->lookups_full, t->paths_sampled,
			    t->paths_unsampled, t->paths_not_kept, t->events_not_kept, t->bpf_run_cnt, t->vmops_full,
			    t->vmops_pruned, t->irqs_full};
	for (size_t i = 0; i < ARRAY_SIZE(stats); i++)
		json_object_array_add(st, u64(stats[i]));
	json_object_object_add(o, "stats", st);
	json_object_object_add(o, "has_bpf_stats", json_object_new_boolean(t->has_bpf_stats));
	json_object_object_add(o, "bpf_run_s", json_object_new_double(t->bpf_run_s));
	json_object_object_add(o, "bpf_stats_sampled_s", json_object_new_double(t->bpf_stats_sampled_s));
	json_object_object_add(o, "user_cpu_s", json_object_new_double(t->user_cpu_s));
	for (size_t i = 0; i < t->nhists; i++) {
		const struct tr_hist *x = &t->hists[i];
		json_object *a = json_object_new_array(), *sl = json_object_new_array();
		snprintf(hex, sizeof(hex), "%" PRIx64, x->detail);
		json_object_array_add(a, u64(x->tgid));
		json_object_array_add(a, u64(x->kind));
		json_object_array_add(a, json_object_new_string(hex));
		json_object_array_add(a, json_object_new_string(x->name));
		json_object_array_add(a, json_object_new_string(x->comm));
		uint64_t v[] = {x->count, x->sum_ns, x->max_ns, x->extra1, x->extra2, x->max_tid};
		for (size_t k = 0; k < ARRAY_SIZE(v); k++)
			json_object_array_add(a, u64(v[k]));
		for (int k = 0; k < TR_HIST_SLOTS; k++)
			json_object_array_add(sl, u64(x->slots[k]));
		json_object_array_add(a, sl);
		json_object_array_add(h, a);
	}
	json_object_object_add(o, "hists", h);
	for (size_t i = 0; i < t->nlookups; i++) {
		const struct tr_lookup *x = &t->lookups[i];
		json_object *a = json_object_new_array(), *ps = json_object_new_array();
		json_object_array_add(a, u64(x->tgid));
		json_object_array_add(a, json_object_new_string(x->comm));
		json_object_array_add(a, u64(x->failed));
		json_object_array_add(a, u64(x->calls));
		for (size_t k = 0; k < x->patterns.n; k++) {
			json_object *p = json_object_new_array();
			json_object_array_add(p, json_object_new_string(x->patterns.v[k].example));
			json_object_array_add(p, u64(x->patterns.v[k].n));
			json_object_array_add(ps, p);
		}
		json_object_array_add(a, ps);
		json_object_array_add(l, a);
	}
	json_object_object_add(o, "lookups", l);
	for (size_t i = 0; i < t->nevents; i++) {
		const struct tr_event *x = &t->events[i];
		json_object *a = json_object_new_array();
		snprintf(hex, sizeof(hex), "%" PRIx64, x->detail);
		json_object_array_add(a, u64(x->kind));
		json_object_array_add(a, u64(x->tid));
		json_object_array_add(a, u64(x->tgid));
		json_object_array_add(a, json_object_new_string(x->comm));
		json_object_array_add(a, json_object_new_double(x->t_s));
		json_object_array_add(a, u64(x->dur_ns));
		json_object_array_add(a, json_object_new_string(hex));
		json_object_array_add(a, u64(x->extra1));
		json_object_array_add(a, u64(x->extra2));
		json_object_array_add(a, json_object_new_string(x->name));
		if (x->ml.present) {
			json_object *m = json_object_new_array();
			uint64_t v[] = {x->ml.tid, x->ml.tgid, x->ml.where, x->ml.hold_ns, x->ml.flags, x->ml.map_count,
					x->ml.total_vm};
			for (size_t k = 0; k < ARRAY_SIZE(v); k++)
				json_object_array_add(m, u64(v[k]));
			json_object_array_add(m, json_object_new_string(x->ml.comm));
			json_object_array_add(a, m);
		}
		json_object_array_add(e, a);
	}
	json_object_object_add(o, "events", e);
	char *s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

int traced_from_json(const char *json, struct traced *ret)
{
	json_object *o = json_tokener_parse(json), *a;
	struct traced t = {0};

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EINVAL;
	}
	t.duration_s = json_object_get_double(json_object_object_get(o, "duration_s"));
	t.threshold_ms = json_object_get_double(json_object_object_get(o, "threshold_ms"));
	t.groups = (unsigned)json_object_get_int64(json_object_object_get(o, "groups"));
	t.nattached = (unsigned)json_object_get_int64(json_object_object_get(o, "nattached"));
	a = json_object_object_get(o, "stats");
	uint64_t *stats[] = {&t.ringbuf_lost, &t.hist_full, &t.waits_full, &t.lookups_full, &t.paths_sampled,
			     &t.paths_unsampled, &t.paths_not_kept, &t.events_not_kept, &t.bpf_run_cnt, &t.vmops_full,
			     &t.vmops_pruned, &t.irqs_full};
	for (size_t i = 0; i < ARRAY_SIZE(stats) && i < json_object_array_length(a); i++)
		*stats[i] = get_u64(a, i);
	t.has_bpf_stats = json_object_get_boolean(json_object_object_get(o, "has_bpf_stats"));
	t.bpf_run_s = json_object_get_double(json_object_object_get(o, "bpf_run_s"));
	t.bpf_stats_sampled_s = json_object_get_double(json_object_object_get(o, "bpf_stats_sampled_s"));
	t.user_cpu_s = json_object_get_double(json_object_object_get(o, "user_cpu_s"));
	a = json_object_object_get(o, "hists");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *h = json_object_array_get_idx(a, i), *sl = json_object_array_get_idx(h, 11);
		ARRAY_GROW(t.hists, t.nhists, t.caphists);
		struct tr_hist *x = &t.hists[t.nhists++];
		*x = (struct tr_hist){.tgid = (uint32_t)get_u64(h, 0), .kind = (unsigned)get_u64(h, 1),
				      .detail = strtoull(get_str(h, 2), NULL, 16), .count = get_u64(h, 5),
				      .sum_ns = get_u64(h, 6), .max_ns = get_u64(h, 7), .extra1 = get_u64(h, 8),
				      .extra2 = get_u64(h, 9), .max_tid = (uint32_t)get_u64(h, 10)};
		snprintf(x->name, sizeof(x->name), "%s", get_str(h, 3));
		snprintf(x->comm, sizeof(x->comm), "%s", get_str(h, 4));
		for (size_t k = 0; k < TR_HIST_SLOTS && k < json_object_array_length(sl); k++)
			x->slots[k] = get_u64(sl, k);
	}
	a = json_object_object_get(o, "lookups");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *l = json_object_array_get_idx(a, i), *ps = json_object_array_get_idx(l, 4);
		ARRAY_GROW(t.lookups, t.nlookups, t.caplookups);
		struct tr_lookup *x = &t.lookups[t.nlookups++];
		*x = (struct tr_lookup){.tgid = (uint32_t)get_u64(l, 0), .failed = get_u64(l, 2), .calls = get_u64(l, 3)};
		snprintf(x->comm, sizeof(x->comm), "%s", get_str(l, 1));
		for (size_t k = 0; k < json_object_array_length(ps); k++) {
			json_object *p = json_object_array_get_idx(ps, k);
			pattern_set_add(&x->patterns, get_str(p, 0), get_u64(p, 1));
		}
		pattern_set_sort(&x->patterns);
	}
	a = json_object_object_get(o, "events");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i);
		ARRAY_GROW(t.events, t.nevents, t.capevents);
		struct tr_event *x = &t.events[t.nevents++];
		*x = (struct tr_event){.kind = (unsigned)get_u64(e, 0), .tid = (uint32_t)get_u64(e, 1),
				       .tgid = (uint32_t)get_u64(e, 2),
				       .t_s = json_object_get_double(json_object_array_get_idx(e, 4)),
				       .dur_ns = get_u64(e, 5), .detail = strtoull(get_str(e, 6), NULL, 16),
				       .extra1 = get_u64(e, 7), .extra2 = get_u64(e, 8)};
		snprintf(x->comm, sizeof(x->comm), "%s", get_str(e, 3));
		snprintf(x->name, sizeof(x->name), "%s", get_str(e, 9));
		json_object *m = json_object_array_get_idx(e, 10); /* mmap_lock holder, when there was one */
		if (m && json_object_is_type(m, json_type_array)) {
			x->ml = (struct tr_ml_holder){.present = true, .tid = (uint32_t)get_u64(m, 0),
						      .tgid = (uint32_t)get_u64(m, 1), .where = get_u64(m, 2),
						      .hold_ns = get_u64(m, 3), .flags = get_u64(m, 4),
						      .map_count = get_u64(m, 5), .total_vm = get_u64(m, 6)};
			snprintf(x->ml.comm, sizeof(x->ml.comm), "%s", get_str(m, 7));
		}
	}
	json_object_put(o);
	*ret = t;
	return 0;
}

static uint64_t sub(uint64_t b, uint64_t a) { return b > a ? b - a : 0; }

void traced_diff(const struct traced *a, const struct traced *b, struct traced *ret)
{
	struct traced t = *b;
	t.hists = NULL, t.nhists = t.caphists = 0;
	t.lookups = NULL, t.nlookups = t.caplookups = 0;
	t.events = NULL, t.nevents = t.capevents = 0;
	t.duration_s = b->duration_s - a->duration_s;
	t.ringbuf_lost = sub(b->ringbuf_lost, a->ringbuf_lost);
	t.hist_full = sub(b->hist_full, a->hist_full);
	t.waits_full = sub(b->waits_full, a->waits_full);
	t.lookups_full = sub(b->lookups_full, a->lookups_full);
	t.paths_sampled = sub(b->paths_sampled, a->paths_sampled);
	t.paths_unsampled = sub(b->paths_unsampled, a->paths_unsampled);
	t.vmops_full = sub(b->vmops_full, a->vmops_full);
	t.vmops_pruned = sub(b->vmops_pruned, a->vmops_pruned);
	t.irqs_full = sub(b->irqs_full, a->irqs_full);
	t.paths_not_kept = sub(b->paths_not_kept, a->paths_not_kept);
	t.events_not_kept = sub(b->events_not_kept, a->events_not_kept);
	t.bpf_run_s = b->bpf_run_s > a->bpf_run_s ? b->bpf_run_s - a->bpf_run_s : 0;
	t.bpf_run_cnt = sub(b->bpf_run_cnt, a->bpf_run_cnt);
	t.user_cpu_s = b->user_cpu_s - a->user_cpu_s;

	for (size_t i = 0; i < b->nevents; i++)
		if (b->events[i].t_s > a->duration_s) {
			ARRAY_GROW(t.events, t.nevents, t.capevents);
			t.events[t.nevents] = b->events[i];
			t.events[t.nevents++].t_s -= a->duration_s;
		}
	for (size_t i = 0; i < b->nhists; i++) {
		struct tr_hist x = b->hists[i];
		const struct tr_hist *p = NULL;
		for (size_t j = 0; j < a->nhists && !p; j++)
			if (a->hists[j].tgid == x.tgid && a->hists[j].kind == x.kind && a->hists[j].detail == x.detail)
				p = &a->hists[j];
		if (p) {
			x.count = sub(x.count, p->count);
			x.sum_ns = sub(x.sum_ns, p->sum_ns);
			x.extra1 = sub(x.extra1, p->extra1);
			x.extra2 = sub(x.extra2, p->extra2);
			for (int k = 0; k < TR_HIST_SLOTS; k++)
				x.slots[k] = sub(x.slots[k], p->slots[k]);
			if (!x.count)
				continue;
			/* The cumulative worst is the window's only if it grew;
			 * otherwise bound it by the window's events and its
			 * highest bucket. */
			if (x.max_ns <= p->max_ns) {
				uint64_t m = 0;
				for (size_t k = 0; k < t.nevents; k++)
					if (t.events[k].tgid == x.tgid && t.events[k].kind == x.kind &&
					    t.events[k].detail == x.detail && t.events[k].dur_ns > m)
						m = t.events[k].dur_ns;
				for (int k = TR_HIST_SLOTS - 1; k >= 0 && !m; k--)
					if (x.slots[k])
						m = (2ull << k) * 1000; /* upper edge, us -> ns */
				x.max_ns = m < p->max_ns ? m : p->max_ns;
			}
		}
		ARRAY_GROW(t.hists, t.nhists, t.caphists);
		t.hists[t.nhists++] = x;
	}
	for (size_t i = 0; i < b->nlookups; i++) {
		const struct tr_lookup *x = &b->lookups[i], *p = NULL;
		for (size_t j = 0; j < a->nlookups && !p; j++)
			if (a->lookups[j].tgid == x->tgid)
				p = &a->lookups[j];
		uint64_t failed = p ? sub(x->failed, p->failed) : x->failed;
		uint64_t calls = p ? sub(x->calls, p->calls) : x->calls;
		if (!calls)
			continue;
		ARRAY_GROW(t.lookups, t.nlookups, t.caplookups);
		struct tr_lookup *y = &t.lookups[t.nlookups++];
		*y = (struct tr_lookup){.tgid = x->tgid, .failed = failed, .calls = calls};
		memcpy(y->comm, x->comm, sizeof(y->comm));
		for (size_t k = 0; k < x->patterns.n; k++) {
			uint64_t n = x->patterns.v[k].n;
			if (p)
				for (size_t m = 0; m < p->patterns.n; m++)
					if (!strcmp(p->patterns.v[m].pattern, x->patterns.v[k].pattern))
						n = sub(n, p->patterns.v[m].n);
			if (n)
				pattern_set_add(&y->patterns, x->patterns.v[k].example, n);
		}
		pattern_set_sort(&y->patterns);
	}
	*ret = t;
}

char *files_to_json(const struct capture_entry *e, size_t n, size_t from)
{
	json_object *o = json_object_new_object();
	for (size_t i = from; i < n; i++)
		json_object_object_add(o, e[i].path, json_object_new_string_len(e[i].data, (int)e[i].len));
	char *s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

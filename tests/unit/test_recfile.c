/* Recording frames and the tracer's state: lossless round trip, window
 * differences, a reader that stops cleanly at damage, decodes lazily and
 * within its limits, and strict validation of what a frame holds. */
#include "testutil.h"
#include "record/recfile.h"

#include <json-c/json.h>
#include <math.h>
#include <sys/mman.h>
#include <zlib.h>

/* Tracer states as kstall 0.1.0 wrote them (format 1). */
#define V1 "tests/fixtures/recording-v1"

static void fill(struct traced *t, double dur, uint64_t count, uint64_t max_ns, uint64_t failed)
{
	memset(t, 0, sizeof(*t));
	t->duration_s = dur;
	t->threshold_ms = 10;
	t->groups = 31;
	t->ringbuf_lost = 2;
	ARRAY_GROW(t->hists, t->nhists, t->caphists);
	struct tr_hist *h = &t->hists[t->nhists++];
	*h = (struct tr_hist){.tgid = 42, .kind = TR_SHRINKER, .detail = 0xffffffff816bd4b0ULL, .count = count,
			      .sum_ns = count * 1000000, .max_ns = max_ns, .extra1 = count * 10, .extra2 = count * 20,
			      .max_tid = 43};
	snprintf(h->name, sizeof(h->name), "super_cache_scan");
	snprintf(h->comm, sizeof(h->comm), "nss \"probe\"");
	h->slots[10] = count;
	ARRAY_GROW(t->lookups, t->nlookups, t->caplookups);
	struct tr_lookup *l = &t->lookups[t->nlookups++];
	*l = (struct tr_lookup){.tgid = 42, .failed = failed, .calls = failed + 5};
	snprintf(l->comm, sizeof(l->comm), "nss_probe");
	pattern_set_add(&l->patterns, "/etc/pki/nssdb/.6685897_dOeSnotExist_.db", failed / 1000 + 1);
}

/* fill() plus an event with an mmap_lock holder and one without. */
static void fill_events(struct traced *t)
{
	fill(t, 4.5, 7, 62800000, 123456);
	ARRAY_GROW(t->events, t->nevents, t->capevents);
	t->events[t->nevents++] = (struct tr_event){.kind = TR_MEMCG_RECLAIM, .tid = 43, .tgid = 42, .t_s = 1.25,
						    .dur_ns = 200300000, .detail = 0xffffffff816bd4b0ULL};
	ARRAY_GROW(t->events, t->nevents, t->capevents);
	t->events[t->nevents++] = (struct tr_event){
		.kind = TR_ML_WAIT_READ, .tid = 50, .tgid = 50, .t_s = 2, .dur_ns = 30000000,
		.ml = {.present = true, .tid = 51, .tgid = 51, .where = 56, .hold_ns = 40000000, .map_count = 9000}};
	snprintf(t->events[1].ml.comm, sizeof(t->events[1].ml.comm), "forker");
}

static void test_round_trip_is_lossless(void **state UNUSED)
{
	struct traced a, b;
	char why[200] = "";
	fill_events(&a);
	a.hists[0].sum_ns = UINT64_MAX; /* past INT64_MAX: kept exact */
	char *j = traced_to_json(&a);
	assert_int_equal(traced_from_json(j, REC_FORMAT, why, sizeof(why), &b), 0);
	char *j2 = traced_to_json(&b);
	assert_string_equal(j, j2); /* nothing lost either way */
	assert_true(b.hists[0].detail == 0xffffffff816bd4b0ULL);
	assert_true(b.hists[0].sum_ns == UINT64_MAX);
	assert_string_equal(b.hists[0].comm, "nss \"probe\"");
	assert_int_equal(b.lookups[0].failed, 123456);
	assert_string_equal(b.lookups[0].patterns.v[0].pattern, "/etc/pki/nssdb/.N_dOeSnotExist_.db");
	assert_true(b.events[0].dur_ns == 200300000);
	assert_false(b.events[0].ml.present);
	assert_true(b.events[1].ml.present);
	assert_int_equal(b.events[1].ml.map_count, 9000);
	assert_string_equal(b.events[1].ml.comm, "forker");
	free(j);
	free(j2);
	traced_free(&a);
	traced_free(&b);
	assert_int_equal(traced_from_json("not json", REC_FORMAT, why, sizeof(why), &b), -EINVAL);
	assert_non_null(strstr(why, "not JSON"));
	assert_int_equal(traced_from_json("{} {}", REC_FORMAT, why, sizeof(why), &b), -EINVAL); /* one document */
	assert_non_null(strstr(why, "not JSON"));
}

/* A valid traced document, changed by one edit: each must be refused
 * with -EINVAL and a reason naming the field. */
struct mutation {
	const char *path;  /* "hists.0.5": keys and indexes from traced */
	const char *value; /* JSON to put there; NULL removes it */
	const char *why;   /* expected in the reason */
};

static json_object *walk(json_object *o, const char *path, char *last, size_t lastsz)
{
	_cleanup_free_ char *p = xstrdup(path);
	char *slash = strrchr(p, '.');
	snprintf(last, lastsz, "%s", slash ? slash + 1 : p);
	if (!slash)
		return o;
	*slash = '\0';
	for (char *tok = strtok(p, "."); tok && o; tok = strtok(NULL, "."))
		o = json_object_is_type(o, json_type_array) ? json_object_array_get_idx(o, (size_t)atoi(tok))
							     : json_object_object_get(o, tok);
	return o;
}

static char *mutate(const char *json, const struct mutation *m)
{
	json_object *o = json_tokener_parse(json);
	char last[64];
	json_object *parent = walk(o, m->path, last, sizeof(last));
	assert_non_null(parent);
	json_object *v = m->value ? json_tokener_parse(m->value) : NULL;
	if (json_object_is_type(parent, json_type_array)) {
		size_t i = (size_t)atoi(last);
		if (m->value)
			json_object_array_put_idx(parent, i, v);
		else
			json_object_array_del_idx(parent, i, json_object_array_length(parent) - i);
	} else if (m->value) {
		json_object_object_add(parent, last, v);
	} else {
		json_object_object_del(parent, last);
	}
	char *s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/* Format 1, as kstall 0.1.0 wrote it: records as arrays, the loss
 * counters in "stats". */
static void test_malformed_traced_is_refused(void **state UNUSED)
{
	static const struct mutation muts[] = {
		{"stats", NULL, "traced.stats is missing"},
		{"hists", NULL, "traced.hists is missing"},
		{"lookups", NULL, "traced.lookups is missing"},
		{"events", NULL, "traced.events is missing"},
		{"duration_s", NULL, "traced.duration_s is missing"},
		{"has_bpf_stats", NULL, "traced.has_bpf_stats is missing"},
		{"stats", "{}", "traced.stats is an object, not an array"},
		{"hists", "\"x\"", "traced.hists is a string, not an array"},
		{"lookups", "7", "traced.lookups is an integer, not an array"},
		{"events", "null", "traced.events is null, not an array"},
		{"stats", "[1,2,3]", "traced.stats has 3 entries, expected 9 to 12"},
		{"stats", "[1,2,3,4,5,6,7,8,9,10,11,12,13]", "traced.stats has 13 entries"},
		{"stats.0", "-1", "traced.stats[0] is negative"},
		{"stats.1", "1.5", "traced.stats[1] is a number, not an integer"},
		{"hists.0.11", NULL, "traced.hists[0] has 11 fields, expected 12"},
		{"hists.0.5", NULL, "traced.hists[0] has 5 fields, expected 12"},
		{"hists.0", "{}", "traced.hists[0] is an object, not an array"},
		{"hists.0.0", "4294967296", "traced.hists[0].tgid is 4294967296, over 4294967295"},
		{"hists.0.1", "99", "traced.hists[0].kind is 99, not a kind"},
		{"hists.0.1", "0", "traced.hists[0].kind is 0"},
		{"hists.0.2", "\"0xff\"", "traced.hists[0].detail is not a hex number"},
		{"hists.0.2", "\"\"", "traced.hists[0].detail is empty"},
		{"hists.0.2", "\"11112222333344445\"", "traced.hists[0].detail is 17 bytes"},
		{"hists.0.2", "255", "traced.hists[0].detail is an integer, not a string"},
		{"hists.0.4", "\"0123456789abcdefg\"", "traced.hists[0].comm is 17 bytes, longer than 15"},
		{"hists.0.4", "\"a\\u0000b\"", "traced.hists[0].comm holds a NUL byte"},
		{"hists.0.5", "\"7\"", "traced.hists[0].count is a string, not an integer"},
		{"hists.0.11", "[1,2]", "traced.hists[0].slots has 2 entries, expected 32"},
		{"hists.0.11.31", "true", "traced.hists[0].slots[31] is a boolean"},
		{"lookups.0.4", "{}", "traced.lookups[0].patterns is an object"},
		{"lookups.0.4.0", "[\"/x\"]", "traced.lookups[0].patterns[0] has 1 fields, expected 2"},
		{"lookups.0.4.0.1", "-5", "traced.lookups[0].patterns[0].count is negative"},
		{"lookups.0.3", NULL, "traced.lookups[0] has 3 fields, expected 5"},
		{"events.0.4", "\"soon\"", "traced.events[0].t_s is a string, not a number"},
		{"events.0.9", NULL, "traced.events[0] has 9 fields, expected 10 to 11"},
		{"events.1.10", "[1,2]", "traced.events[1].holder has 2 fields, expected 8"},
		{"events.1.10.7", "5", "traced.events[1].holder.comm is an integer, not a string"},
		{"duration_s", "-1", "traced.duration_s is -1, not 0 to"},
		{"duration_s", "1e300", "traced.duration_s is 1e+300"},
		{"groups", "4294967296", "traced.groups is 4294967296, over"},
		{"has_bpf_stats", "1", "traced.has_bpf_stats is an integer, not a boolean"},
	};
	struct traced t, back;
	char why[200];
	_cleanup_free_ char *valid = slurp(V1 "/traced.json", NULL);
	assert_int_equal(traced_from_json(valid, 1, why, sizeof(why), &back), 0);
	traced_free(&back);
	for (size_t i = 0; i < ARRAY_SIZE(muts); i++) {
		_cleanup_free_ char *bad = mutate(valid, &muts[i]);
		why[0] = '\0';
		int rc = traced_from_json(bad, 1, why, sizeof(why), &back);
		if (rc != -EINVAL || !strstr(why, muts[i].why))
			fail_msg("%s := %s: rc %d, reason \"%s\", expected \"%s\"", muts[i].path,
				 muts[i].value ? muts[i].value : "(removed)", rc, why, muts[i].why);
	}
	/* NaN and Infinity are not JSON, though json-c takes them even in
	 * its strict mode. */
	assert_int_equal(traced_from_json("{\"duration_s\":NaN}", 1, why, sizeof(why), &back), -EINVAL);
	assert_non_null(strstr(why, "traced.duration_s is nan"));
	assert_int_equal(traced_from_json("{\"duration_s\":-Infinity}", 1, why, sizeof(why), &back), -EINVAL);

	/* Older recordings with 9 loss counters still read; the counters
	 * they lack are those of maps their tracer did not have. */
	struct mutation old = {"stats", "[1,2,3,4,5,6,7,8,9]", ""};
	_cleanup_free_ char *nine = mutate(valid, &old);
	assert_int_equal(traced_from_json(nine, 1, why, sizeof(why), &back), 0);
	assert_int_equal(back.bpf_run_cnt, 9);
	assert_int_equal(back.irqs_full, 0);
	traced_free(&back);

	/* More outlier events than the tracer keeps. */
	fill(&t, 1, 1, 1, 1);
	for (size_t i = 0; i <= TR_MAX_EVENTS; i++) {
		ARRAY_GROW(t.events, t.nevents, t.capevents);
		t.events[t.nevents++] = (struct tr_event){.kind = TR_DIRECT_RECLAIM, .tid = 1, .tgid = 1};
	}
	_cleanup_free_ char *many = traced_to_json(&t);
	traced_free(&t);
	assert_int_equal(traced_from_json(many, REC_FORMAT, why, sizeof(why), &back), -EINVAL);
	assert_non_null(strstr(why, "traced.events has 4097 entries, more than 4096"));
}

/* Format 2: every counter and every field of a record by name, each one
 * required (absent is not zero). */
static void test_traced_is_read_by_name(void **state UNUSED)
{
#define NAME(type, name, ...) #name,
	static const char *const counters[] = {TRACED_COUNTERS(NAME)};
#undef NAME
	static const struct mutation muts[] = {
		{"hists.0.count", NULL, "traced.hists[0].count is missing"},
		{"hists.0.slots", NULL, "traced.hists[0].slots is missing"},
		{"hists.0.detail", "255", "traced.hists[0].detail is an integer, not a string"},
		{"hists.0.kind", "99", "traced.hists[0].kind is 99, not a kind"},
		{"hists.0", "[]", "traced.hists[0] is an array, not an object"},
		{"hists.0.slots.31", "true", "traced.hists[0].slots[31] is a boolean"},
		/* format 4's: how many were not timed, at most all */
		{"hists.0.untimed", NULL, "traced.hists[0].untimed is missing"},
		{"hists.0.untimed", "8", "traced.hists[0].untimed is 8, more than its count (7)"},
		{"lookups.0.calls", NULL, "traced.lookups[0].calls is missing"},
		{"lookups.0.patterns.0.example", NULL, "traced.lookups[0].patterns[0].example is missing"},
		{"lookups.0.patterns.0", "[\"/x\",1]", "traced.lookups[0].patterns[0] is an array, not an object"},
		/* format 3's fields are required in format 3 */
		{"lookups.0.ppid", NULL, "traced.lookups[0].ppid is missing"},
		{"lookups.0.procs", NULL, "traced.lookups[0].procs is missing"},
		{"lookups.0.group", "1", "traced.lookups[0].group is an integer, not a boolean"},
		{"lookups.0.first_s", "\"0\"", "traced.lookups[0].first_s is a string, not a number"},
		{"lookups.0.slab_gap_max_s", NULL, "traced.lookups[0].slab_gap_max_s is missing"},
		{"events.0.t_s", NULL, "traced.events[0].t_s is missing"},
		{"events.1.holder.comm", NULL, "traced.events[1].holder.comm is missing"},
		{"events.1.holder", "[]", "traced.events[1].holder is an array, not an object"},
		{"irqs_full", "\"7\"", "traced.irqs_full is a string, not an integer"},
		{"bpf_run_s", "-1", "traced.bpf_run_s is -1, not 0 to"},
		{"groups", "4294967296", "traced.groups is 4294967296, over"},
		{"has_bpf_stats", "0", "traced.has_bpf_stats is an integer, not a boolean"},
	};
	struct traced t, back;
	char why[200];
	fill_events(&t);
	_cleanup_free_ char *valid = traced_to_json(&t);
	traced_free(&t);
	for (size_t i = 0; i < ARRAY_SIZE(counters); i++) {
		struct mutation m = {counters[i], NULL, NULL};
		_cleanup_free_ char *bad = mutate(valid, &m), *want = xasprintf("traced.%s is missing", counters[i]);
		why[0] = '\0';
		int rc = traced_from_json(bad, REC_FORMAT, why, sizeof(why), &back);
		if (rc != -EINVAL || strcmp(why, want))
			fail_msg("without %s: rc %d, reason \"%s\", expected \"%s\"", counters[i], rc, why, want);
	}
	for (size_t i = 0; i < ARRAY_SIZE(muts); i++) {
		_cleanup_free_ char *bad = mutate(valid, &muts[i]);
		why[0] = '\0';
		int rc = traced_from_json(bad, REC_FORMAT, why, sizeof(why), &back);
		if (rc != -EINVAL || !strstr(why, muts[i].why))
			fail_msg("%s := %s: rc %d, reason \"%s\", expected \"%s\"", muts[i].path,
				 muts[i].value ? muts[i].value : "(removed)", rc, why, muts[i].why);
	}
	/* An event without a holder has none; one format is not the other. */
	struct mutation noholder = {"events.1.holder", NULL, NULL};
	_cleanup_free_ char *nh = mutate(valid, &noholder), *v1 = slurp(V1 "/traced.json", NULL);
	assert_int_equal(traced_from_json(nh, REC_FORMAT, why, sizeof(why), &back), 0);
	assert_false(back.events[1].ml.present);
	traced_free(&back);
	assert_int_equal(traced_from_json(v1, REC_FORMAT, why, sizeof(why), &back), -EINVAL);
	assert_non_null(strstr(why, " is missing"));
	assert_int_equal(traced_from_json(valid, 1, why, sizeof(why), &back), -EINVAL);
	assert_string_equal(why, "traced.stats is missing");
	assert_int_equal(traced_from_json(valid, REC_FORMAT + 1, why, sizeof(why), &back), -EINVAL);
}

/* Format 2 has none of format 3's lookup fields: read, they are unknown
 * (known false, one process each), never zeros taken as measured. */
static void test_format2_lookups_are_unknown(void **state UNUSED)
{
	static const char *const v3[] = {"ppid", "pcomm", "group", "procs", "first_s", "last_s", "slab_opens",
					 "slab_procs", "slab_first_s", "slab_last_s", "slab_gap_max_s"};
	struct traced t, back;
	char why[200];
	fill_events(&t);
	t.lookups[0].known = true;
	t.lookups[0].procs = 3;
	t.lookups[0].ppid = 7;
	_cleanup_free_ char *valid = traced_to_json(&t);
	traced_free(&t);
	json_object *o = json_tokener_parse(valid), *l = json_object_array_get_idx(json_object_object_get(o, "lookups"), 0);
	for (size_t i = 0; i < ARRAY_SIZE(v3); i++)
		json_object_object_del(l, v3[i]);
	const char *v2 = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	assert_int_equal(traced_from_json(v2, REC_FORMAT, why, sizeof(why), &back), -EINVAL);
	assert_string_equal(why, "traced.lookups[0].ppid is missing");
	assert_int_equal(traced_from_json(v2, 2, why, sizeof(why), &back), 0);
	assert_false(back.lookups[0].known);
	assert_int_equal(back.lookups[0].procs, 1);
	assert_int_equal(back.lookups[0].ppid, 0);
	assert_int_equal(back.lookups[0].failed, 123456);
	traced_free(&back);
	json_object_put(o);
	assert_int_equal(traced_from_json(valid, REC_FORMAT, why, sizeof(why), &back), 0);
	assert_true(back.lookups[0].known && back.lookups[0].procs == 3 && back.lookups[0].ppid == 7);
	traced_free(&back);
}

/* Before format 4 every call a histogram counted was timed: read, none
 * is untimed, and its total is its sum. In format 4 a histogram of
 * sampled calls gives its total from the timed ones. */
static void test_format3_hists_are_all_timed(void **state UNUSED)
{
	struct traced t, back;
	char why[200];
	fill_events(&t);
	t.hists[0].untimed = 3; /* of 7 */
	_cleanup_free_ char *valid = traced_to_json(&t);
	traced_free(&t);
	assert_int_equal(traced_from_json(valid, REC_FORMAT, why, sizeof(why), &back), 0);
	assert_int_equal(back.hists[0].untimed, 3);
	/* 7 ms in the 4 timed calls: 12.25 ms in all 7 */
	assert_true(fabs(tr_hist_total_s(&back.hists[0]) - 0.007 * 7 / 4) < 1e-12);
	traced_free(&back);
	json_object *o = json_tokener_parse(valid), *h = json_object_array_get_idx(json_object_object_get(o, "hists"), 0);
	json_object_object_del(h, "untimed");
	const char *v3 = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	assert_int_equal(traced_from_json(v3, 3, why, sizeof(why), &back), 0);
	assert_int_equal(back.hists[0].untimed, 0);
	assert_true(fabs(tr_hist_total_s(&back.hists[0]) - 0.007) < 1e-12);
	traced_free(&back);
	json_object_put(o);
}

/* Each counter under its own name, none taken for another: distinct
 * values survive the round trip; format 1's "stats" map to the same
 * counters as kstall 0.1.0 wrote them, in its order. */
static void test_counters_keep_their_names(void **state UNUSED)
{
	struct traced t = {0}, back;
	char why[200];
	unsigned k = 0;
#define SET(type, name, ...) t.name = (TRC_CTYPE_##type)(++k);
	TRACED_COUNTERS(SET)
#undef SET
	_cleanup_free_ char *j = traced_to_json(&t);
	assert_int_equal(traced_from_json(j, REC_FORMAT, why, sizeof(why), &back), 0);
	k = 0;
#define CHECK(type, name, ...) \
	if (back.name != (TRC_CTYPE_##type)(++k)) \
		fail_msg("%s read back as another value", #name);
	TRACED_COUNTERS(CHECK)
#undef CHECK
	traced_free(&back);

	struct mutation stats = {"stats", "[1,2,3,4,5,6,7,8,9,10,11,12]", ""};
	_cleanup_free_ char *v1 = slurp(V1 "/traced.json", NULL), *numbered = mutate(v1, &stats);
	assert_int_equal(traced_from_json(numbered, 1, why, sizeof(why), &back), 0);
	uint64_t got[] = {back.ringbuf_lost, back.hist_full, back.waits_full, back.lookups_full,
			  back.paths_sampled, back.paths_unsampled, back.paths_not_kept, back.events_not_kept,
			  back.bpf_run_cnt, back.vmops_full, back.vmops_pruned, back.irqs_full};
	for (size_t i = 0; i < ARRAY_SIZE(got); i++)
		if (got[i] != i + 1)
			fail_msg("stats[%zu] read as %" PRIu64 ", not %zu", i, got[i], i + 1);
	assert_true(back.duration_s == 4.5 && back.groups == 31);
	traced_free(&back);
}

static void test_diff_of_two_states(void **state UNUSED)
{
	struct traced a, b, w;
	fill(&a, 2, 5, 50000000, 1000);
	fill(&b, 6, 9, 70000000, 5000);
	traced_diff(&a, &b, &w);
	assert_true(w.duration_s == 4);
	assert_int_equal(w.nhists, 1);
	assert_int_equal(w.hists[0].count, 4);
	assert_int_equal(w.hists[0].sum_ns, 4000000);
	assert_int_equal(w.hists[0].slots[10], 4);
	assert_int_equal(w.hists[0].max_ns, 70000000); /* grew in the window: exact */
	assert_int_equal(w.lookups[0].failed, 4000);
	assert_int_equal(w.ringbuf_lost, 0);
	traced_free(&w);
	traced_free(&b);

	/* The worst did not grow: bounded by the window's highest bucket
	 * (slot 10: under 2 ms), never the older, larger maximum. */
	fill(&b, 6, 9, 50000000, 1000);
	traced_diff(&a, &b, &w);
	assert_true(w.hists[0].max_ns == 2048000);
	/* No path lookups at all in the window: the process is not listed. */
	assert_int_equal(w.nlookups, 0);
	traced_free(&w);
	traced_free(&a);
	traced_free(&b);
}

static struct tr_lookup *add_lookup(struct traced *t, uint32_t tgid, bool group, uint32_t ppid, const char *comm,
				     uint64_t failed, double first_s, double last_s)
{
	ARRAY_GROW(t->lookups, t->nlookups, t->caplookups);
	struct tr_lookup *l = &t->lookups[t->nlookups++];
	*l = (struct tr_lookup){.tgid = tgid, .known = true, .group = group, .ppid = ppid, .procs = 1,
				.failed = failed, .calls = failed * 2, .first_s = first_s, .last_s = last_s};
	snprintf(l->comm, sizeof(l->comm), "%s", comm);
	snprintf(l->pcomm, sizeof(l->pcomm), "bash");
	pattern_set_add(&l->patterns, "/nonexistent-1", failed / 10);
	return l;
}

static const struct tr_lookup *lookup_in(const struct traced *t, bool group, uint32_t tgid)
{
	for (size_t i = 0; i < t->nlookups; i++)
		if (t->lookups[i].group == group && (group || t->lookups[i].tgid == tgid))
			return &t->lookups[i];
	return NULL;
}

/* A shell loop's processes, in a window of a recording: those that were
 * running at the window's start and exited in it were folded into their
 * group with what they had counted before it, which must not count in
 * the window; times move to the window's start. */
static void test_diff_of_groups(void **state UNUSED)
{
	struct traced a = {.duration_s = 10}, b = {.duration_s = 20}, w;
	/* a: 100 exited stat processes (2,400 failures), one running (24) */
	struct tr_lookup *g = add_lookup(&a, 1100, true, 999, "stat", 2400, 1, 9.5);
	g->procs = 100;
	add_lookup(&a, 1101, false, 999, "stat", 24, 9.9, 9.95);
	add_lookup(&a, 50, false, 1, "agent", 10, 2, 9);
	/* b: 1101 and 99 more exited; 1201 runs; the agent failed 5 more */
	g = add_lookup(&b, 1200, true, 999, "stat", 2400 + 24 + 99 * 24, 1, 19.5);
	g->procs = 200;
	add_lookup(&b, 1201, false, 999, "stat", 3, 19.9, 19.92);
	add_lookup(&b, 50, false, 1, "agent", 15, 2, 18);
	traced_diff(&a, &b, &w);
	const struct tr_lookup *x = lookup_in(&w, true, 0);
	assert_non_null(x);
	assert_int_equal(x->failed, 99 * 24); /* not 1101's 24, counted before */
	assert_int_equal(x->procs, 99);
	assert_true(x->last_s == 9.5 && x->first_s == 0);
	assert_int_equal(x->patterns.total, (99 * 24 + 24 + 2400) / 10 - 2400 / 10 - 24 / 10);
	x = lookup_in(&w, false, 1201);
	assert_true(x && x->failed == 3 && fabs(x->first_s - 9.9) < 1e-9 && x->procs == 1);
	x = lookup_in(&w, false, 50);
	assert_true(x && x->failed == 5 && x->last_s == 8);
	assert_null(lookup_in(&w, false, 1101));
	traced_free(&w);
	traced_free(&a);
	traced_free(&b);
}

static void load_v1(const char *name, struct traced *ret)
{
	_cleanup_free_ char *path = xasprintf(V1 "/%s", name), *json = slurp(path, NULL);
	char why[200] = "";
	assert_non_null(json);
	if (traced_from_json(json, 1, why, sizeof(why), ret) != 0)
		fail_msg("%s: %s", path, why);
}

/* A real window (two frames of a live recording, format 1): the
 * difference is the one kstall 0.1.0's diff made of it, to the byte. */
static void test_diff_is_as_before_on_a_real_window(void **state UNUSED)
{
	struct traced a, b, w, want;
	load_v1("window-a.json", &a);
	load_v1("window-b.json", &b);
	load_v1("window-diff.json", &want);
	traced_diff(&a, &b, &w);
	assert_int_equal(w.nhists, want.nhists);
	assert_int_equal(w.nlookups, want.nlookups);
	assert_int_equal(w.nevents, 8);
	_cleanup_free_ char *got = traced_to_json(&w), *exp = traced_to_json(&want);
	size_t i = 0;
	while (got[i] && got[i] == exp[i])
		i++;
	if (got[i] || exp[i])
		fail_msg("the window differs from byte %zu: ...%.80s, expected ...%.80s", i, got + i, exp + i);
	traced_free(&a);
	traced_free(&b);
	traced_free(&w);
	traced_free(&want);
}

static char recpath[] = "/tmp/kstall-test-rec-XXXXXX";

static int open_rec(struct rec_file *f)
{
	int fd = open(recpath, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	return rec_open_fd(fd, f);
}

static int new_rec(void)
{
	int fd = open(recpath, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* A frame with any header: clen bytes of z, claiming ulen, with the
 * right checksum (so that only the claim is wrong). */
static void raw_frame(int fd, char type, const void *z, size_t clen, size_t ulen)
{
	char head[96];
	int n = snprintf(head, sizeof(head), "KSREC1 %c %zu %zu %08lx\n", type, clen, ulen,
			 (unsigned long)crc32(0, z, (uInt)clen));
	assert_int_equal(write(fd, head, (size_t)n), n);
	assert_int_equal(write(fd, z, clen), (ssize_t)clen);
	assert_int_equal(write(fd, "\n", 1), 1);
}

static unsigned char *deflated(const void *p, size_t n, size_t *ret_len)
{
	uLongf zl = compressBound(n);
	unsigned char *z = xmalloc(zl);
	assert_int_equal(compress2(z, &zl, p, n, 9), Z_OK);
	*ret_len = zl;
	return z;
}

static void test_reader_stops_at_damage(void **state UNUSED)
{
	int fd = new_rec();
	assert_int_equal(rec_write_frame(fd, REC_HEADER, "{\"format\":1}"), 0);
	assert_int_equal(rec_write_frame(fd, REC_INTERVAL, "{\"n\":1}"), 0);
	assert_int_equal(rec_write_frame(fd, REC_INTERVAL, "{\"n\":2}"), 0);
	off_t full = lseek(fd, 0, SEEK_END);
	close(fd);

	struct rec_file f;
	char *json;
	assert_int_equal(open_rec(&f), 0);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.bytes_ignored, 0);
	assert_int_equal(f.v[0].type, REC_HEADER);
	assert_int_equal(rec_frame_decode(&f, 2, &json), 0);
	assert_string_equal(json, "{\"n\":2}");
	free(json);
	rec_file_close(&f);

	/* Cut inside the last frame: two frames, and the tail is reported. */
	assert_int_equal(truncate(recpath, full - 3), 0);
	assert_int_equal(open_rec(&f), 0);
	assert_int_equal(f.n, 2);
	assert_true(f.bytes_ignored > 0);
	assert_non_null(strstr(f.tail_reason, "incomplete"));
	rec_file_close(&f);
	/* Cut inside a header line. */
	fd = new_rec();
	assert_int_equal(rec_write_frame(fd, REC_HEADER, "{\"format\":1}"), 0);
	assert_int_equal(write(fd, "KSREC1 I 1", 10), 10);
	close(fd);
	assert_int_equal(open_rec(&f), 0);
	assert_int_equal(f.n, 1);
	assert_non_null(strstr(f.tail_reason, "incomplete"));
	rec_file_close(&f);

	/* A flipped byte in a payload fails its checksum. */
	fd = new_rec();
	assert_int_equal(rec_write_frame(fd, REC_HEADER, "{\"format\":1,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}"), 0);
	assert_int_equal(rec_write_frame(fd, REC_INTERVAL, "{\"n\":1}"), 0);
	close(fd);
	fd = open(recpath, O_RDWR);
	char c;
	assert_int_equal(pread(fd, &c, 1, 40), 1);
	c ^= 0x5a;
	assert_int_equal(pwrite(fd, &c, 1, 40), 1);
	close(fd);
	assert_int_equal(open_rec(&f), 0);
	assert_int_equal(f.n, 0);
	assert_non_null(strstr(f.tail_reason, "frame at byte 0 fails its checksum"));
	rec_file_close(&f);

	/* Header lines are read strictly: a sign, an unknown type, spaces. */
	static const char *const lines[] = {"KSREC1 I -1 5 00000000\n", "KSREC1 X 1 1 00000000\n",
					    "KSREC1 I  1 1 00000000\n", "KSREC1 I 1 1 0000000\n",
					    "KSREC1 I 99999999999 1 00000000\n", "KSREC2 I 1 1 00000000\n"};
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		fd = new_rec();
		assert_int_equal(write(fd, lines[i], strlen(lines[i])), (ssize_t)strlen(lines[i]));
		assert_int_equal(write(fd, "xx\n", 3), 3);
		close(fd);
		assert_int_equal(open_rec(&f), 0);
		assert_int_equal(f.n, 0);
		if (!strstr(f.tail_reason, "no frame header at byte 0"))
			fail_msg("%s: %s", lines[i], f.tail_reason);
		rec_file_close(&f);
	}
	/* Not a regular file. */
	assert_int_equal(rec_open_fd(open("/dev/null", O_RDONLY), &f), -EINVAL);
}

static void test_reader_limits(void **state UNUSED)
{
	struct rec_file f;
	char *json;
	size_t zl;

	/* A claim past 64 MiB is refused from its header line alone: no
	 * allocation, no decompression. */
	_cleanup_free_ unsigned char *small = deflated("{\"a\":1}", 7, &zl);
	int fd = new_rec();
	raw_frame(fd, 'H', small, zl, (64u << 20) + 1);
	close(fd);
	assert_int_equal(open_rec(&f), 0);
	assert_int_equal(f.n, 0);
	assert_non_null(strstr(f.tail_reason, "claims 67108865 bytes, over the 64 MiB limit"));
	rec_file_close(&f);

	/* More than deflate's 1032:1 from so few bytes. */
	fd = new_rec();
	raw_frame(fd, 'H', small, zl, zl * 1032 + 1);
	close(fd);
	assert_int_equal(open_rec(&f), 0);
	assert_int_equal(f.n, 0);
	assert_non_null(strstr(f.tail_reason, "no deflate stream does that"));
	rec_file_close(&f);

	/* Claims that the data does not keep, found when decoded: shorter,
	 * longer, garbage after the stream, a NUL. Each frame's checksum is
	 * right, so the index holds them all. */
	_cleanup_free_ unsigned char *nul = deflated("{\"a\":\"\0\"}", 9, &zl);
	size_t nl = zl;
	_cleanup_free_ unsigned char *z = deflated("{\"a\":1}", 7, &zl);
	unsigned char trail[256];
	memcpy(trail, z, zl);
	memcpy(trail + zl, "junk", 4);
	fd = new_rec();
	raw_frame(fd, 'H', z, zl, 7);
	raw_frame(fd, 'I', z, zl, 8);
	raw_frame(fd, 'I', z, zl, 6);
	raw_frame(fd, 'I', trail, zl + 4, 7);
	raw_frame(fd, 'I', nul, nl, 9);
	raw_frame(fd, 'I', "\x78\x9c\xff\xff\xff\xff\xff", 7, 7);
	close(fd);
	assert_int_equal(open_rec(&f), 0);
	assert_int_equal(f.n, 6);
	assert_int_equal(rec_frame_decode(&f, 0, &json), 0);
	assert_string_equal(json, "{\"a\":1}");
	free(json);
	static const char *const want[] = {"decompresses to 7 bytes, not the 8 it claims",
					   "decompresses to more than the 6 bytes it claims",
					   "has bytes after the end of its compressed data", "holds a NUL byte",
					   "does not decompress"};
	for (size_t i = 1; i < f.n; i++) {
		f.error[0] = '\0';
		assert_int_equal(rec_frame_decode(&f, i, &json), -EINVAL);
		if (!strstr(f.error, want[i - 1]) || !strstr(f.error, "frame at byte"))
			fail_msg("frame %zu: \"%s\", expected \"%s\"", i, f.error, want[i - 1]);
	}
	rec_file_close(&f);

	/* More JSON values than a frame may hold: json-c spends ~70 bytes on
	 * each, whatever the text's length. Refused by the writer too. */
	size_t nv = REC_MAX_VALUES + 1;
	char *arr = xmalloc(nv * 2 + 2);
	arr[0] = '[';
	for (size_t i = 0; i < nv; i++)
		memcpy(arr + 1 + 2 * i, i + 1 < nv ? "0," : "0]", 2);
	arr[nv * 2 + 1] = '\0';
	fd = new_rec();
	assert_int_equal(rec_write_frame(fd, REC_INTERVAL, arr), -EFBIG);
	unsigned char *za = deflated(arr, strlen(arr), &zl);
	raw_frame(fd, 'I', za, zl, strlen(arr));
	free(za);
	free(arr);
	close(fd);
	assert_int_equal(open_rec(&f), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(rec_frame_decode(&f, 0, &json), -EINVAL);
	assert_non_null(strstr(f.error, "more than 4194304 JSON values"));
	rec_file_close(&f);

	/* Objects cost json-c eleven times a number (an empty one 792 bytes):
	 * 400,000 `{}`, 1.2 MB of text, would parse into 320 MB. Counted at
	 * that weight, they are over the limit, for the writer and the reader. */
	size_t no = 400000;
	char *objs = xmalloc(no * 3 + 2);
	objs[0] = '[';
	for (size_t i = 0; i < no; i++)
		memcpy(objs + 1 + 3 * i, i + 1 < no ? "{}," : "{}]", 3);
	objs[no * 3 + 1] = '\0';
	fd = new_rec();
	assert_int_equal(rec_write_frame(fd, REC_INTERVAL, objs), -EFBIG);
	za = deflated(objs, strlen(objs), &zl);
	raw_frame(fd, 'I', za, zl, strlen(objs));
	free(za);
	free(objs);
	close(fd);
	assert_int_equal(open_rec(&f), 0);
	assert_int_equal(rec_frame_decode(&f, 0, &json), -EINVAL);
	assert_non_null(strstr(f.error, "more than 4194304 JSON values"));
	rec_file_close(&f);
}

/* Opening reads header lines and checksums only; a frame is decompressed
 * when asked for, within the reader's budget; t_mono comes from a
 * frame's first bytes. */
static void test_reader_is_lazy(void **state UNUSED)
{
	struct rec_file f;
	char *json;
	double t;
	size_t zl;

	/* A 64 MiB payload of one long string: valid, within every limit. */
	size_t big = 64u << 20;
	char *s = xmalloc(big + 1);
	memset(s, 'x', big);
	memcpy(s, "{\"t_mono\":7.5,\"t_real\":1,\"s\":\"", 30);
	memcpy(s + big - 2, "\"}", 2);
	s[big] = '\0';
	_cleanup_free_ unsigned char *z = deflated(s, big, &zl);
	free(s);
	int fd = new_rec();
	assert_int_equal(rec_write_frame(fd, REC_HEADER, "{\"format\":1}"), 0);
	for (int i = 0; i < 5; i++)
		raw_frame(fd, 'I', z, zl, big);
	assert_int_equal(rec_write_frame(fd, REC_INTERVAL, "{\"x\":1,\"t_mono\":9}"), 0);
	assert_int_equal(rec_write_frame(fd, REC_INTERVAL, "{\"x\":1}"), 0);
	close(fd);

	assert_int_equal(open_rec(&f), 0);
	assert_int_equal(f.n, 8);
	assert_true(f.decode_budget == REC_MAX_DECODED); /* nothing decompressed */
	/* The prefix: no budget spent, whatever the frame's size. */
	for (size_t i = 1; i <= 5; i++) {
		assert_int_equal(rec_frame_t_mono(&f, i, &t), 0);
		assert_true(t == 7.5);
	}
	assert_true(f.decode_budget == REC_MAX_DECODED);
	/* Not in record's form: decoded whole. */
	assert_int_equal(rec_frame_t_mono(&f, 6, &t), 0);
	assert_true(t == 9);
	assert_true(f.decode_budget < REC_MAX_DECODED);
	assert_int_equal(rec_frame_t_mono(&f, 7, &t), -EINVAL);
	assert_non_null(strstr(f.error, "t_mono is missing"));
	/* Four whole frames of 64 MiB fit the 256 MiB budget; not a fifth. */
	f.decode_budget = REC_MAX_DECODED;
	for (size_t i = 1; i <= 4; i++) {
		assert_int_equal(rec_frame_decode(&f, i, &json), 0);
		assert_int_equal(strlen(json), big);
		free(json);
	}
	assert_int_equal(rec_frame_decode(&f, 5, &json), -E2BIG);
	assert_non_null(strstr(f.error, "limit of 256 MiB decompressed per report"));
	rec_file_close(&f);
}

static void test_frames_are_validated(void **state UNUSED)
{
	struct rec_header h;
	struct rec_interval iv;
	char why[200];
	struct traced t;

	assert_int_equal(rec_header_parse("{\"format\":1,\"interval_s\":2,\"user_hz\":100}", why, sizeof(why), &h), 0);
	assert_true(h.interval_s == 2);
	assert_int_equal(h.user_hz, 100);
	static const struct {
		const char *json, *why;
	} hdrs[] = {
		{"{\"format\":1,\"user_hz\":100}", "header.interval_s is missing"},
		{"{\"format\":1,\"interval_s\":0,\"user_hz\":100}", "header.interval_s is 0"},
		{"{\"format\":1,\"interval_s\":\"2\",\"user_hz\":100}", "header.interval_s is a string"},
		{"{\"format\":1,\"interval_s\":2}", "header.user_hz is missing"},
		{"{\"format\":1,\"interval_s\":2,\"user_hz\":0}", "header.user_hz is 0"},
		{"{\"format\":5,\"interval_s\":2,\"user_hz\":100}", "this kstall reads format 1 to 4"},
		{"[1]", "not one JSON object"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(hdrs); i++) {
		why[0] = '\0';
		if (rec_header_parse(hdrs[i].json, why, sizeof(why), &h) != -EINVAL || !strstr(why, hdrs[i].why))
			fail_msg("%s: \"%s\", expected \"%s\"", hdrs[i].json, why, hdrs[i].why);
	}

	fill_events(&t);
	_cleanup_free_ char *tj = traced_to_json(&t);
	traced_free(&t);
	_cleanup_free_ char *ok = xasprintf("{\"t_mono\":5.5,\"t_real\":1700000000.25,\"host_files\":{\"proc/version\":"
					    "\"Linux\"},\"files\":{\"proc/1/stat\":\"1 (init) S\"},\"traced\":%s}", tj);
	assert_int_equal(rec_interval_parse(ok, REC_FORMAT, why, sizeof(why), &iv), 0);
	assert_true(iv.t_mono == 5.5);
	assert_int_equal(iv.traced.nhists, 1);
	assert_string_equal(json_object_get_string(json_object_object_get(iv.files, "proc/1/stat")), "1 (init) S");
	rec_interval_free(&iv);
	static const struct {
		const char *head, *why;
	} ivs[] = {
		{"\"t_real\":1,\"host_files\":{},\"files\":{}", "t_mono is missing"},
		{"\"t_mono\":-1,\"t_real\":1,\"host_files\":{},\"files\":{}", "t_mono is -1"},
		{"\"t_mono\":1,\"host_files\":{},\"files\":{}", "t_real is missing"},
		{"\"t_mono\":1,\"t_real\":1,\"files\":{}", "host_files is missing"},
		{"\"t_mono\":1,\"t_real\":1,\"host_files\":{},\"files\":\"proc\"", "files is a string, not an object"},
		{"\"t_mono\":1,\"t_real\":1,\"host_files\":{},\"files\":[]", "files is an array, not an object"},
		{"\"t_mono\":1,\"t_real\":1,\"host_files\":{\"a\":1},\"files\":{}", "host_files: entry 0 is an integer"},
		{"\"t_mono\":1,\"t_real\":1,\"host_files\":{},\"files\":{\"a\":\"\",\"b\":null}", "files: entry 1 is null"},
		{"\"t_mono\":1,\"t_real\":1,\"host_files\":{},\"files\":{\"../etc/x\":\"\"}", "files: entry 0 is not a relative path"},
		{"\"t_mono\":1,\"t_real\":1,\"host_files\":{},\"files\":{\"/etc/x\":\"\"}", "is not a relative path"},
		{"\"t_mono\":1,\"t_real\":1,\"host_files\":{},\"files\":{\"a/./b\":\"\"}", "is not a relative path"},
		{"\"t_mono\":1,\"t_real\":1,\"host_files\":{},\"files\":{\"a//b\":\"\"}", "is not a relative path"},
		{"\"t_mono\":1,\"t_real\":1,\"host_files\":{},\"files\":{\"a/\":\"\"}", "is not a relative path"},
		{"\"t_mono\":1,\"t_real\":1,\"host_files\":{},\"files\":{\"\":\"\"}", "is not a relative path"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(ivs); i++) {
		_cleanup_free_ char *j = xasprintf("{%s,\"traced\":%s}", ivs[i].head, tj);
		why[0] = '\0';
		if (rec_interval_parse(j, REC_FORMAT, why, sizeof(why), &iv) != -EINVAL || !strstr(why, ivs[i].why))
			fail_msg("%s: \"%s\", expected \"%s\"", ivs[i].head, why, ivs[i].why);
	}
	assert_int_equal(rec_interval_parse("{\"t_mono\":1,\"t_real\":1,\"host_files\":{},\"files\":{}}", REC_FORMAT,
					    why, sizeof(why), &iv), -EINVAL);
	assert_non_null(strstr(why, "traced is missing"));
	assert_int_equal(rec_interval_parse("{\"t_mono\":1,\"t_real\":1,\"host_files\":{},\"files\":{},\"traced\":[]}",
					    REC_FORMAT, why, sizeof(why), &iv), -EINVAL);
	assert_non_null(strstr(why, "traced is an array, not an object"));
}

/* record -o: never through a link, never into a FIFO or a device, never
 * appending to a file that is not a recording; a new file is known as
 * such, and an existing recording is appended to. */
static void test_open_for_append(void **state UNUSED)
{
	char dir[] = "/tmp/kstall-test-recapp-XXXXXX";
	bool created;
	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *target = xasprintf("%s/target", dir), *link = xasprintf("%s/link", dir),
			    *fifo = xasprintf("%s/fifo", dir), *rec = xasprintf("%s/rec", dir),
			    *dangling = xasprintf("%s/dangling", dir), *absent = xasprintf("%s/absent", dir);
	int fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_int_equal(write(fd, "secret\n", 7), 7);
	close(fd);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(symlink(absent, dangling), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);

	assert_int_equal(rec_open_append(link, &created), -ELOOP);
	assert_int_equal(rec_open_append(dangling, &created), -ELOOP);
	assert_int_equal(access(absent, F_OK), -1); /* not created through the link */
	assert_int_equal(rec_open_append(fifo, &created), -EINVAL); /* and did not block */
	assert_int_equal(rec_open_append("/dev/null", &created), -EINVAL);
	assert_int_equal(rec_open_append(dir, &created), -EISDIR);
	assert_int_equal(rec_open_append(target, &created), -EEXIST); /* not a recording */
	_cleanup_free_ char *t = slurp(target, NULL);
	assert_string_equal(t, "secret\n");

	fd = rec_open_append(rec, &created);
	assert_true(fd >= 0);
	assert_true(created);
	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_int_equal(rec_write_frame(fd, REC_HEADER, "{\"format\":1}"), 0);
	close(fd);
	fd = rec_open_append(rec, &created);
	assert_true(fd >= 0);
	assert_false(created);
	assert_int_equal(rec_write_frame(fd, REC_HEADER, "{\"format\":1}"), 0);
	close(fd);
	struct rec_file f;
	assert_int_equal(rec_open_fd(open(rec, O_RDONLY), &f), 0);
	assert_int_equal(f.n, 2); /* appended, not truncated */
	rec_file_close(&f);
	/* An empty file (made by hand, or by touch) is appended to. */
	unlink(rec);
	close(open(rec, O_WRONLY | O_CREAT, 0644));
	fd = rec_open_append(rec, &created);
	assert_true(fd >= 0);
	assert_false(created);
	close(fd);
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state UNUSED)
{
	int fd = mkstemp(recpath);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state UNUSED)
{
	return unlink(recpath);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_is_lossless),
		cmocka_unit_test(test_malformed_traced_is_refused),
		cmocka_unit_test(test_traced_is_read_by_name),
		cmocka_unit_test(test_counters_keep_their_names),
		cmocka_unit_test(test_diff_of_two_states),
		cmocka_unit_test(test_diff_of_groups),
		cmocka_unit_test(test_format2_lookups_are_unknown),
		cmocka_unit_test(test_format3_hists_are_all_timed),
		cmocka_unit_test(test_diff_is_as_before_on_a_real_window),
		cmocka_unit_test(test_reader_stops_at_damage),
		cmocka_unit_test(test_reader_limits),
		cmocka_unit_test(test_reader_is_lazy),
		cmocka_unit_test(test_frames_are_validated),
		cmocka_unit_test(test_open_for_append),
	};
	return cmocka_run_group_tests_name("recfile", tests, setup, teardown);
}

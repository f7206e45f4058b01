/* Recording frames and the tracer's state: lossless round trip, window
 * differences, and a reader that stops cleanly at damage. */
#include "testutil.h"
#include "record/recfile.h"

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

static void test_round_trip_is_lossless(void **state UNUSED)
{
	struct traced a, b;
	fill(&a, 4.5, 7, 62800000, 123456);
	ARRAY_GROW(a.events, a.nevents, a.capevents);
	a.events[a.nevents++] = (struct tr_event){.kind = TR_MEMCG_RECLAIM, .tid = 43, .tgid = 42, .t_s = 1.25,
						  .dur_ns = 200300000, .detail = 0xffffffff816bd4b0ULL};
	char *j = traced_to_json(&a);
	assert_int_equal(traced_from_json(j, &b), 0);
	char *j2 = traced_to_json(&b);
	assert_string_equal(j, j2); /* nothing lost either way */
	assert_true(b.hists[0].detail == 0xffffffff816bd4b0ULL); /* > INT64_MAX survives */
	assert_string_equal(b.hists[0].comm, "nss \"probe\"");
	assert_int_equal(b.lookups[0].failed, 123456);
	assert_string_equal(b.lookups[0].patterns.v[0].pattern, "/etc/pki/nssdb/.N_dOeSnotExist_.db");
	assert_true(b.events[0].dur_ns == 200300000);
	free(j);
	free(j2);
	traced_free(&a);
	traced_free(&b);
	assert_int_equal(traced_from_json("not json", &b), -EINVAL);
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

static void test_reader_stops_at_damage(void **state UNUSED)
{
	char path[] = "/tmp/kstall-test-rec-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(rec_write_frame(fd, REC_HEADER, "{\"format\":1}"), 0);
	assert_int_equal(rec_write_frame(fd, REC_INTERVAL, "{\"n\":1}"), 0);
	assert_int_equal(rec_write_frame(fd, REC_INTERVAL, "{\"n\":2}"), 0);
	off_t full = lseek(fd, 0, SEEK_END);
	close(fd);

	struct rec_file f;
	assert_int_equal(rec_read(path, &f), 0);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.bytes_ignored, 0);
	assert_string_equal(f.v[2].json, "{\"n\":2}");
	rec_file_free(&f);

	/* Cut inside the last frame: two frames, and the tail is reported. */
	assert_int_equal(truncate(path, full - 3), 0);
	assert_int_equal(rec_read(path, &f), 0);
	assert_int_equal(f.n, 2);
	assert_true(f.bytes_ignored > 0);
	assert_non_null(strstr(f.tail_reason, "incomplete"));
	rec_file_free(&f);

	/* A flipped byte in a payload fails its checksum. */
	fd = open(path, O_RDWR);
	char c;
	assert_int_equal(pread(fd, &c, 1, 40), 1);
	c ^= 0x5a;
	assert_int_equal(pwrite(fd, &c, 1, 40), 1);
	close(fd);
	int rc = rec_read(path, &f);
	if (rc == 0) {
		assert_true(f.n < 2);
		rec_file_free(&f);
	}
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_is_lossless),
		cmocka_unit_test(test_diff_of_two_states),
		cmocka_unit_test(test_reader_stops_at_damage),
	};
	return cmocka_run_group_tests_name("recfile", tests, NULL, NULL);
}

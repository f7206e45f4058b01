/* Renderers with hostile strings: a process name can hold any byte. JSON
 * must stay one valid document in valid UTF-8; a terminal must never get a
 * raw control byte (an escape sequence in a comm could rewrite the screen). */
#include "testutil.h"
#include "render/render.h"

#include <json-c/json.h>

static const char evil[] = "cur\x1b[31ml\"\\\n\t\xff\xc3(\xe2\x82\xac ok";

static void fill(struct inputs *in, struct report *r)
{
	struct perr e;
	memset(in, 0, sizeof(*in));
	memset(r, 0, sizeof(*r));
	snprintf(in->host.hostname, sizeof(in->host.hostname), "%s", evil);
	assert_int_equal(proc_meminfo_parse("MemTotal: 1024 kB\n", &in->cur.meminfo, &e), 0);
	in->cur.s_meminfo.state = SRC_OK;
	in->mode = WINDOW_SINCE_BOOT;
	in->window_source = "root";
	r->in = in;
	struct finding *f = findings_add(&r->findings, "dcache.bloat", SEV_WARNING);
	finding_title(f, "title %s", evil);
	finding_summary(f, "summary %s", evil);
	finding_num(f, "ratio", 0.25, U_RATIO, "src");
	finding_num(f, "nan_is_null", 0.0 / 0.0, U_COUNT, "src");
	finding_str(f, "name", evil, evil);
	finding_process(f, 42, evil, "producer");
	finding_remedy(f, "do %s", evil);
	skips_add(&r->skips, "x.y", "because %s", evil);
	metrics_add(&r->metrics, "m.count", 3, U_COUNT);
}

static void done(struct inputs *in, struct report *r)
{
	findings_free(&r->findings);
	skips_free(&r->skips);
	metrics_free(&r->metrics);
	kvtab_free(&in->cur.meminfo);
}

static bool valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		if (!n)
			return false;
		for (int i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

static void test_json_stays_valid(void **state UNUSED)
{
	struct inputs in;
	struct report r;
	char *buf = NULL;
	size_t len = 0;

	fill(&in, &r);
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(render_json(f, &r), 0);
	fclose(f);
	assert_true(valid_utf8(buf));
	json_object *o = json_tokener_parse(buf);
	assert_non_null(o);
	json_object *fd = json_object_array_get_idx(json_object_object_get(o, "findings"), 0);
	const char *title = json_object_get_string(json_object_object_get(fd, "title"));
	/* Control bytes survive as escapes, the invalid byte becomes U+FFFD,
	 * the valid euro sign is kept. */
	assert_non_null(strstr(title, "cur\x1b[31ml\"\\\n\t"));
	assert_non_null(strstr(title, "\xef\xbf\xbd"));
	assert_non_null(strstr(title, "\xe2\x82\xac ok"));
	json_object *ev = json_object_object_get(fd, "evidence");
	assert_true(json_object_get_double(json_object_object_get(json_object_array_get_idx(ev, 0), "value")) == 0.25);
	assert_true(json_object_is_type(json_object_object_get(json_object_array_get_idx(ev, 1), "value"),
					json_type_null));
	assert_int_equal(json_object_get_int(json_object_object_get(
				 json_object_array_get_idx(json_object_object_get(fd, "subjects"), 0), "pid")), 42);
	json_object_put(o);
	free(buf);
	done(&in, &r);
}

static void test_text_has_no_raw_control_bytes(void **state UNUSED)
{
	struct inputs in;
	struct report r;
	char *buf = NULL;
	size_t len = 0;

	fill(&in, &r);
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(render_text(f, &r, false), 0);
	fclose(f);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)buf[i] < 0x20 && buf[i] != '\n')
			fail_msg("raw control byte 0x%02x at %zu", (unsigned char)buf[i], i);
	assert_non_null(strstr(buf, "cur\\x1b[31ml"));
	assert_non_null(strstr(buf, "\\xff"));
	assert_non_null(strstr(buf, "25%"));
	assert_non_null(strstr(buf, "(pid 42), producer"));
	free(buf);
	done(&in, &r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_stays_valid),
		cmocka_unit_test(test_text_has_no_raw_control_bytes),
	};
	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}

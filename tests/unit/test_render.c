/* Renderers with hostile strings: a process name can hold any byte. JSON
 * must stay one valid document in valid UTF-8; a terminal must never get a
 * raw control byte (an escape sequence in a comm could rewrite the screen). */
#include "testutil.h"
#include "render/render.h"
#include "detect/detect.h"

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

/* Bytes as the test log may show them, without the escaper under test:
 * printable ASCII as is, everything else \xNN. */
static char *vis(const char *s)
{
	struct buf b = {0};
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x20 && *p < 0x7f)
			buf_append(&b, p, 1);
		else
			buf_printf(&b, "\\x%02x", *p);
	buf_reserve(&b, 0);
	return b.data;
}

/* Each class the terminal escaper knows, with its neighbours that must
 * stay as they are (so a range one too wide fails too). */
static void test_tty_escaper_classes(void **state UNUSED)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"\xc2\x9b" "31m", "\\u009b31m"},       /* C1 CSI as UTF-8 */
		{"\xc2\x80|\xc2\x9f", "\\u0080|\\u009f"}, /* the C1 range's ends */
		{"\x9b" "31m", "\\x9b31m"},             /* a raw 0x9b: not UTF-8 */
		{"\x1b[2J", "\\x1b[2J"},                /* ESC */
		{"a\nb\tc\r", "a\\x0ab\\x09c\\x0d"},
		{"\x7f", "\\x7f"},
		{"\\x1b", "\\\\x1b"},                   /* a typed "\x1b" is not an ESC */
		{"\\", "\\\\"},
		{"a\xe2\x80\xaa" "b", "a\\u202ab"},     /* LRE */
		{"\xe2\x80\xab", "\\u202b"},
		{"\xe2\x80\xac", "\\u202c"},
		{"\xe2\x80\xad", "\\u202d"},
		{"\xe2\x80\xae" "txt.exe", "\\u202etxt.exe"}, /* RLO */
		{"\xe2\x81\xa6", "\\u2066"},            /* LRI */
		{"\xe2\x81\xa7", "\\u2067"},
		{"\xe2\x81\xa8", "\\u2068"},
		{"\xe2\x81\xa9", "\\u2069"},            /* PDI */
		{"\xe2\x80\x8e", "\\u200e"},            /* LRM */
		{"\xe2\x80\x8f", "\\u200f"},            /* RLM */
		{"\xd8\x9c", "\\u061c"},                /* ALM */
		{"\xe2\x80\xa8", "\\u2028"},            /* line separator */
		{"\xe2\x80\xa9", "\\u2029"},            /* paragraph separator */
		/* kept: valid text, and the code points next to the ranges */
		{"caf\xc3\xa9", "caf\xc3\xa9"},
		{"\xe5\x90\x8d\xe5\x89\x8d", "\xe5\x90\x8d\xe5\x89\x8d"}, /* CJK */
		{"\xe2\x82\xac \xf0\x9f\x98\x80", "\xe2\x82\xac \xf0\x9f\x98\x80"},
		{"\xc2\xa0\xd8\x9b\xd8\x9d", "\xc2\xa0\xd8\x9b\xd8\x9d"}, /* U+00A0, U+061B, U+061D */
		{"\xe2\x80\x8d\xe2\x80\xa7\xe2\x80\xaf", "\xe2\x80\x8d\xe2\x80\xa7\xe2\x80\xaf"},
		{"\xe2\x81\xa5\xe2\x81\xaa", "\xe2\x81\xa5\xe2\x81\xaa"}, /* U+2065, U+206A */
		{"a b(c)", "a b(c)"},
		/* invalid UTF-8: every byte of it */
		{"\xc0\x80", "\\xc0\\x80"},             /* overlong NUL */
		{"\xed\xa0\x80", "\\xed\\xa0\\x80"},    /* surrogate */
		{"\xe2\x80", "\\xe2\\x80"},             /* cut short */
		{"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"}, /* above U+10FFFF */
		{"", ""},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *got = sanitize_tty(cases[i].in);
		if (strcmp(got, cases[i].want)) {
			_cleanup_free_ char *g = vis(got), *w = vis(cases[i].want);
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, g, w);
		}
	}
}

/* A width-limited copy is cut between units, never inside one. */
static void test_tty_escaper_max(void **state UNUSED)
{
	static const struct {
		const char *in;
		size_t max;
		const char *want;
	} cases[] = {
		{"ab\x1b" "c", 5, "ab"},              /* "\x1b" does not fit in 3 */
		{"ab\x1b" "c", 6, "ab\\x1b"},
		{"a\xe2\x80\xae", 6, "a"},            /* "\u202e" is 6 bytes */
		{"\xe6\x97\xa5\xe6\x9c\xac", 4, "\xe6\x97\xa5"},
		{"a\\b", 2, "a"},
		{"abc", 24, "abc"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *got = sanitize_tty_max(cases[i].in, cases[i].max);
		if (strcmp(got, cases[i].want)) {
			_cleanup_free_ char *g = vis(got), *w = vis(cases[i].want);
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, g, w);
		}
	}
}

/* A process name with each hostile class, all valid UTF-8 so that JSON
 * can give it back exactly. */
static const char hostile[] = "\xc2\x9b" "31m|\xe2\x80\xae" "abc|\x1b[2J|x\n) R 1|\\x1b|\xe2\x81\xa6|caf\xc3\xa9\xe5\x90\x8d";

/* What no text or JSON output may hold raw: ESC, C1 (as UTF-8 or as a
 * byte), a bidi or separator code point. Returns the offset, or -1. */
static long first_unsafe(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, &cp);
		if (n == 0 || (cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7f || codepoint_unsafe(cp))
			return (long)i;
		i += n;
	}
	return -1;
}

static void fill_hostile(struct inputs *in, struct report *r)
{
	memset(in, 0, sizeof(*in));
	memset(r, 0, sizeof(*r));
	snprintf(in->host.hostname, sizeof(in->host.hostname), "%s", hostile);
	in->mode = WINDOW_SINCE_BOOT;
	in->window_source = "root";
	r->in = in;
	struct finding *f = findings_add(&r->findings, "vma.fragmentation", SEV_WARNING);
	finding_title(f, "%s (pid 7) has many regions", hostile);
	finding_summary(f, "%s looked up paths", hostile);
	finding_str(f, "pattern", hostile, "traced");
	finding_process(f, 7, hostile, "victim");
	metrics_addf(&r->metrics, 1, U_PER_S, "interrupts.%s", "\xc2\x9b" "2J");
}

static void test_text_hostile_comm_is_inert(void **state UNUSED)
{
	struct inputs in;
	struct report r;
	char *buf = NULL;
	size_t len = 0;

	fill_hostile(&in, &r);
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(render_text(f, &r, false), 0);
	fclose(f);
	long at = first_unsafe(buf, len);
	if (at >= 0)
		fail_msg("raw unsafe byte 0x%02x at %ld in:\n%s", (unsigned char)buf[at], at, vis(buf));
	/* The name is one line, in its escaped form, wherever it is shown. */
	static const char esc[] = "\\u009b31m|\\u202eabc|\\x1b[2J|x\\x0a) R 1|\\\\x1b|\\u2066|caf\xc3\xa9\xe5\x90\x8d";
	_cleanup_free_ char *subj = xasprintf("process %s (pid 7), victim\n", esc);
	assert_non_null(strstr(buf, subj));
	_cleanup_free_ char *host = xasprintf("host %s,", esc);
	assert_non_null(strstr(buf, host));
	_cleanup_free_ char *title = xasprintf("%s (pid 7) has many regions\n", esc);
	assert_non_null(strstr(buf, title));
	_cleanup_free_ char *summary = xasprintf("%s looked up paths\n", esc);
	assert_non_null(strstr(buf, summary));
	_cleanup_free_ char *evidence = xasprintf("pattern  %s traced\n", esc);
	assert_non_null(strstr(buf, evidence));
	free(buf);
	findings_free(&r.findings);
	metrics_free(&r.metrics);
}

static void test_json_hostile_comm_round_trips(void **state UNUSED)
{
	struct inputs in;
	struct report r;
	char *buf = NULL;
	size_t len = 0;

	fill_hostile(&in, &r);
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(render_json(f, &r), 0);
	fclose(f);
	long at = first_unsafe(buf, len);
	if (at >= 0)
		fail_msg("raw unsafe byte 0x%02x at %ld in:\n%s", (unsigned char)buf[at], at, vis(buf));
	assert_non_null(strstr(buf, "\\u009b31m"));
	assert_non_null(strstr(buf, "\\u202eabc"));
	assert_non_null(strstr(buf, "\\u2066"));
	json_object *o = json_tokener_parse(buf);
	assert_non_null(o);
	json_object *fd = json_object_array_get_idx(json_object_object_get(o, "findings"), 0);
	json_object *sj = json_object_array_get_idx(json_object_object_get(fd, "subjects"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(sj, "comm")), hostile);
	json_object *ev = json_object_array_get_idx(json_object_object_get(fd, "evidence"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(ev, "value")), hostile);
	assert_string_equal(json_object_get_string(json_object_object_get(json_object_object_get(o, "host"),
									  "hostname")), hostile);
	/* keys too: a metric named after an interrupt line's label */
	assert_non_null(json_object_object_get(json_object_object_get(o, "metrics"), "interrupts.\xc2\x9b" "2J"));
	json_object_put(o);
	free(buf);
	findings_free(&r.findings);
	metrics_free(&r.metrics);
}

/* ---- one formatter per kind of figure (issue 16) ---- */

static void expect(const char *got, const char *want, const char *what)
{
	if (strcmp(got, want))
		fail_msg("%s: \"%s\", expected \"%s\"", what, got, want);
}

/* Each kind as it is written everywhere: a rate without a tail of
 * decimals ("3634.24 path lookups/s" beside "37.5 k/s" was one report),
 * a duration to three digits, a size exact when it is whole. */
static void test_one_formatter_per_kind(void **state UNUSED)
{
	char b[160];
	static const struct {
		double v;
		const char *want;
	} rates[] = {{3634.24, "3634"}, {37500, "37.5 k"}, {136948, "136.9 k"}, {7500, "7500"}, {0.53, "0.53"},
		     {12.34, "12.3"}, {5.25, "5.25"}, {30, "30"}, {9999.7, "10.0 k"}, {1.4e6, "1.4 M"}, {-20000, "-20.0 k"},
		     {0, "0"}};
	for (size_t i = 0; i < ARRAY_SIZE(rates); i++) {
		expect(fmt_rate(rates[i].v, b, sizeof(b)), rates[i].want, "fmt_rate");
		expect(fmt_count(rates[i].v, b, sizeof(b)), rates[i].want, "fmt_count");
	}
	expect(fmt_count(124.5, b, sizeof(b)), "124", "a mean count");
	expect(fmt_count(0.0 / 0.0, b, sizeof(b)), "unknown", "NaN");
	static const struct {
		double s;
		const char *want;
	} durs[] = {{0.126, "126 ms"}, {0.0328, "32.8 ms"}, {0.040, "40 ms"}, {1.26, "1.26 s"}, {4.0, "4 s"},
		    {4.6e-6, "4.6 us"}, {505.1e-6, "505 us"}, {0.9997, "1 s"}, {0.00099996, "1 ms"}, {0, "0 s"},
		    {350e-9, "350 ns"}, {12345, "12345 s"}};
	for (size_t i = 0; i < ARRAY_SIZE(durs); i++)
		expect(fmt_duration(durs[i].s, b, sizeof(b)), durs[i].want, "fmt_duration");
	static const struct {
		double v;
		const char *want;
	} sizes[] = {{528384, "516 KiB"}, {1032 << 10, "1032 KiB"}, {20484 << 10, "20.0 MiB"}, {94412 << 10, "92.2 MiB"}, {2 << 20, "2 MiB"},
		     {4100, "4100 B"}, {192, "192 B"}, {0, "0 B"}, {24641536.0 * 1024, "23.5 GiB"},
		     {12.0 * 1073741824, "12 GiB"}, {277401.0 * 1024, "270.9 MiB"}, {1.5e9, "1.4 GiB"}};
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		expect(fmt_bytes(sizes[i].v, b, sizeof(b)), sizes[i].want, "fmt_bytes");
	expect(fmt_pct(0.063, b, sizeof(b)), "6.3%", "fmt_pct");
	expect(fmt_pct(0.24, b, sizeof(b)), "24%", "fmt_pct");
	expect(fmt_pct(0.0001, b, sizeof(b)), "<0.1%", "fmt_pct");
}

/* A process's time summed over its threads is never a share of the
 * window above 100% (issue 16: "316% of the window"). */
static void test_window_share_never_above_the_window(void **state UNUSED)
{
	char b[160];
	expect(fmt_window_share(0.126, 2, 1, b, sizeof(b)), "6.3% of the window", "one thread");
	expect(fmt_window_share(0.126, 2, 0, b, sizeof(b)), "6.3% of the window", "threads unknown, under the window");
	expect(fmt_window_share(1, 8, 4, b, sizeof(b)), "12% of the window, threads in all; 3.1% per thread over its 4 threads",
	       "four threads");
	expect(fmt_window_share(25.3, 8, 8, b, sizeof(b)),
	       "threads in all: 3.16 times the window; 40% of it per thread over its 8 threads", "eight threads");
	expect(fmt_window_share(25.3, 8, 0, b, sizeof(b)), "threads in all: 3.16 times the window", "threads unknown");
	expect(fmt_window_share(25.3, 8, 1, b, sizeof(b)), "threads in all: 3.16 times the window",
	       "one thread now, more before");
	for (double sum = 0.5; sum < 100; sum *= 1.7)
		for (int64_t n = 0; n < 40; n += 3) {
			fmt_window_share(sum, 8, n, b, sizeof(b));
			const char *p = strstr(b, "% of the window");
			if (p) {
				while (p > b && (p[-1] == '.' || (p[-1] >= '0' && p[-1] <= '9')))
					p--;
				if (atof(p) > 100)
					fail_msg("%g s in 8 s over %" PRId64 " threads: \"%s\"", sum, n, b);
			}
		}
}

/* A list keeps whole entries and says how many it left out. */
static void test_entries_are_whole(void **state UNUSED)
{
	struct entries e = {.max_n = 3};
	for (int i = 1; i <= 5; i++)
		entries_add(&e, "%d KiB: %d mmap / %d munmap", 4 * i, i, i);
	expect(entries_end(&e), "4 KiB: 1 mmap / 1 munmap; 8 KiB: 2 mmap / 2 munmap; 12 KiB: 3 mmap / 3 munmap; +2 more",
	       "by count");
	buf_free(&e.b);
	e = (struct entries){.max_len = 30, .sep = ", "};
	for (int i = 1; i <= 4; i++)
		entries_add(&e, "%d KiB: %d mmap / %d munmap", 16 * i, i, i);
	expect(entries_end(&e), "16 KiB: 1 mmap / 1 munmap, +3 more", "by length: the next one does not fit whole");
	expect(entries_end(&e), "16 KiB: 1 mmap / 1 munmap, +3 more", "ended once");
	buf_free(&e.b);
	e = (struct entries){0};
	expect(entries_end(&e), "", "empty");
	buf_free(&e.b);
}

/* The figures of a summary read the same in the evidence beside it. */
static void test_evidence_reads_as_its_summary(void **state UNUSED)
{
	struct inputs in = {0};
	struct report r = {.in = &in};
	char a[32], b[32], c[32], d[32], e[32], g[32];
	char *out = NULL;
	size_t len = 0;

	in.mode = WINDOW_INTERVAL;
	in.interval_s = 8;
	struct finding *f = findings_add(&r.findings, "vma.mmap_churn", SEV_WARNING);
	finding_summary(f, "rate %s/s, took %s, size %s, share %s, count %s, worst %s.", fmt_rate(3634.24, a, sizeof(a)),
			fmt_duration(0.126, b, sizeof(b)), fmt_bytes(528384, c, sizeof(c)), fmt_pct(0.063, d, sizeof(d)),
			fmt_count(547841, e, sizeof(e)), fmt_duration(0.0328, g, sizeof(g)));
	finding_num(f, "the_rate", 3634.24, U_PER_S, "src");
	finding_num(f, "the_time", 0.126, U_SECONDS, "src");
	finding_num(f, "the_size", 528384, U_BYTES, "src");
	finding_num(f, "the_share", 0.063, U_RATIO, "src");
	finding_num(f, "the_count", 547841, U_COUNT, "src");
	finding_num(f, "the_worst", 0.0328, U_SECONDS, "src");
	finding_num(f, "the_tid", 24190, U_ID, "src");
	FILE *o = open_memstream(&out, &len);
	assert_int_equal(render_text(o, &r, false), 0);
	fclose(o);
	static const struct {
		const char *name, *value;
	} want[] = {{"the_rate", "3634/s"}, {"the_time", "126 ms"}, {"the_size", "516 KiB"}, {"the_share", "6.3%"},
		    {"the_count", "547.8 k"}, {"the_worst", "32.8 ms"}, {"the_tid", "24190"}};
	assert_non_null(strstr(out, "rate 3634/s, took 126 ms, size 516 KiB, share 6.3%, count 547.8 k, worst 32.8 ms."));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		const char *line = strstr(out, want[i].name);
		assert_non_null(line);
		const char *v = line + strlen(want[i].name);
		while (*v == ' ')
			v++;
		if (strncmp(v, want[i].value, strlen(want[i].value)) || v[strlen(want[i].value)] != ' ')
			fail_msg("%s: evidence \"%.20s\", summary \"%s\"", want[i].name, v, want[i].value);
	}
	assert_non_null(strstr(out, "window   8 s between two samples"));
	free(out);
	findings_free(&r.findings);
}

/* The metric named in one rendered document, or NULL. */
static json_object *rendered_metric(const struct report *r, const char *name, json_object **ret_doc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(render_json(f, r), 0);
	fclose(f);
	*ret_doc = json_tokener_parse(buf);
	free(buf);
	assert_non_null(*ret_doc);
	return json_object_object_get(json_object_object_get(*ret_doc, "metrics"), name);
}

/* kstall's own memory: the BPF maps (the tracer's figure) and its peak
 * RSS (the command's), in bytes when measured, absent when not (a
 * recording, a tree), never 0. */
static void test_own_memory_metrics(void **state UNUSED)
{
	static const char *const names[] = {"kstall.bpf_map_bytes", "kstall.rss_peak"};
	static const double values[] = {19592792, 22020096};
	for (int known = 1; known >= 0; known--) {
		struct inputs in;
		struct report r;
		struct traced t = {.duration_s = 2, .has_bpf_map_bytes = known, .bpf_map_bytes = known ? 19592792 : 0};
		fill(&in, &r);
		in.traced = &t;
		view_update(&in);
		metrics_collect(&in, &r.metrics);
		metrics_self(&r.metrics, known ? 22020096 : -1);
		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			json_object *doc, *m = rendered_metric(&r, names[i], &doc);
			if (!known && m)
				fail_msg("%s is in metrics, unmeasured: %s", names[i], json_object_to_json_string(m));
			if (known) {
				assert_non_null(m);
				assert_true(json_object_get_double(json_object_object_get(m, "value")) == values[i]);
				assert_string_equal(json_object_get_string(json_object_object_get(m, "unit")), "bytes");
			}
			json_object_put(doc);
		}
		view_free(&in.view);
		done(&in, &r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_stays_valid),
		cmocka_unit_test(test_text_has_no_raw_control_bytes),
		cmocka_unit_test(test_tty_escaper_classes),
		cmocka_unit_test(test_tty_escaper_max),
		cmocka_unit_test(test_text_hostile_comm_is_inert),
		cmocka_unit_test(test_json_hostile_comm_round_trips),
		cmocka_unit_test(test_one_formatter_per_kind),
		cmocka_unit_test(test_window_share_never_above_the_window),
		cmocka_unit_test(test_entries_are_whole),
		cmocka_unit_test(test_evidence_reads_as_its_summary),
		cmocka_unit_test(test_own_memory_metrics),
	};
	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}

/* report and record, end to end, on hostile input: hand-made recordings
 * with missing or mistyped fields, files that are not recordings (a
 * device, a directory, a FIFO), decompression bombs, windows outside the
 * recording; record -o onto a link, a FIFO, and without the privileges
 * to trace. Runs the sanitizer build (KSTALL_BIN overrides): every
 * ASan/UBSan report fails the test. */
#include "clirun.h"
#include "record/recfile.h"

#include <math.h>
#include <zlib.h>

static char tmpl[] = "/tmp/kstall-test-rcli-XXXXXX";

static struct res run_as(double timeout_s, uid_t uid, char *const args[])
{
	return kstall_run(&(struct run_opts){.dir = tmpl, .timeout_s = timeout_s, .uid = uid}, args);
}

#define RUN(timeout, ...) run_as(timeout, 0, (char *const[]){__VA_ARGS__, NULL})

/* Exit status and a message on stderr, or a failure saying what came. */
static void expect(const struct res *r, int status, const char *msg)
{
	if (r->status != status || !strstr(r->err, msg))
		fail_msg("expected exit %d and \"%s\"; got exit %d, stderr:\n%s", status, msg, r->status, r->err);
}

static bool can_trace(void)
{
	return geteuid() == 0 && access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

/* ---- hand-made recordings ---- */

/* Every file of a captured tree under dir/rel, as {path: content}; skip
 * names a subtree left out. */
static void add_tree(json_object *o, const char *dir, const char *rel, const char *skip)
{
	_cleanup_free_ char *path = *rel ? xasprintf("%s/%s", dir, rel) : xstrdup(dir);
	char **names = list_dir(path);
	assert_non_null(names);
	for (char **n = names; *n; n++) {
		_cleanup_free_ char *r = *rel ? xasprintf("%s/%s", rel, *n) : xstrdup(*n);
		_cleanup_free_ char *full = xasprintf("%s/%s", dir, r);
		struct stat st;
		if ((skip && !strcmp(r, skip)) || lstat(full, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			add_tree(o, dir, r, skip);
		} else if (S_ISREG(st.st_mode)) {
			size_t len;
			_cleanup_free_ char *data = slurp(full, &len);
			json_object_object_add(o, r, json_object_new_string_len(data, (int)len));
		}
	}
	free_list(names);
}

static char *traced_json(void)
{
	struct traced t = {.duration_s = 1, .threshold_ms = 10, .groups = 3};
	ARRAY_GROW(t.hists, t.nhists, t.caphists);
	t.hists[t.nhists++] = (struct tr_hist){.tgid = 42, .kind = TR_DIRECT_RECLAIM, .count = 1, .sum_ns = 1000,
					       .max_ns = 1000, .slots = {[0] = 1}};
	char *s = traced_to_json(&t);
	traced_free(&t);
	return s;
}

/* An edit to one frame of the recording: a path from the frame's root
 * ("traced:hists:0:7": keys and array indexes) set to a JSON value, or
 * removed (NULL); for an array index, removed with what follows it. */
struct edit {
	int frame; /* 0 or 1: the two interval frames */
	const char *path;
	const char *value;
};

static void apply(json_object *o, const struct edit *e)
{
	_cleanup_free_ char *p = xstrdup(e->path);
	char *last = strrchr(p, ':');
	json_object *parent = o;
	if (last) {
		*last++ = '\0';
		for (char *tok = strtok(p, ":"); tok && parent; tok = strtok(NULL, ":"))
			parent = json_object_is_type(parent, json_type_array)
					 ? json_object_array_get_idx(parent, (size_t)atoi(tok))
					 : json_object_object_get(parent, tok);
	} else {
		last = p;
	}
	assert_non_null(parent);
	json_object *v = e->value ? json_tokener_parse(e->value) : NULL;
	if (json_object_is_type(parent, json_type_array)) {
		size_t i = (size_t)atoi(last);
		if (e->value)
			json_object_array_put_idx(parent, i, v);
		else
			json_object_array_del_idx(parent, i, json_object_array_length(parent) - i);
	} else if (e->value) {
		json_object_object_add(parent, last, v);
	} else {
		json_object_object_del(parent, last);
	}
}

/* A recording of the healthy fixture's two samples, 1 s apart, as record
 * writes them: a header, then frames of {t_mono, t_real, host_files,
 * files, traced}; in format 1, the tracer's state as kstall 0.1.0 wrote
 * it. ret_off: the byte offset of each interval frame. */
static char *make_rec(const char *name, unsigned format, const struct edit *edits, size_t nedits, off_t ret_off[2])
{
	static const char fixture[] = "tests/fixtures/healthy-6.18-vm";
	char *path = xasprintf("%s/%s", tmpl, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	_cleanup_free_ char *hdr = xasprintf("{\"format\":%u,\"kstall_version\":\"0.1.0\",\"interval_s\":1,"
					     "\"threshold_ms\":10,\"user_hz\":100,\"t_real\":1795462734.9}", format);
	assert_int_equal(rec_write_frame(fd, REC_HEADER, hdr), 0);
	_cleanup_free_ char *tj = format == 1 ? slurp("tests/fixtures/recording-v1/traced.json", NULL) : traced_json();
	assert_non_null(tj);
	for (int i = 0; i < 2; i++) {
		json_object *f = json_object_new_object(), *host = json_object_new_object(),
			    *files = json_object_new_object();
		json_object_object_add(f, "t_mono", json_object_new_double(100 + i * 1.000165));
		json_object_object_add(f, "t_real", json_object_new_double(1795462734.964 + i));
		if (i == 0) {
			add_tree(host, fixture, "", "kstall");
			_cleanup_free_ char *s0 = xasprintf("%s/kstall/sample0", fixture);
			add_tree(files, s0, "", NULL);
		}
		json_object_object_add(f, "host_files", host);
		json_object_object_add(f, "files", files);
		json_object_object_add(f, "traced", json_tokener_parse(tj));
		for (size_t k = 0; k < nedits; k++)
			if (edits[k].frame == i)
				apply(f, &edits[k]);
		if (ret_off)
			ret_off[i] = lseek(fd, 0, SEEK_CUR);
		assert_int_equal(rec_write_frame(fd, REC_INTERVAL,
						 json_object_to_json_string_ext(f, JSON_C_TO_STRING_PLAIN)), 0);
		json_object_put(f);
	}
	close(fd);
	return path;
}

/* What record writes, and what kstall 0.1.0 wrote (format 1). */
static void test_valid_recording_reports(void **state UNUSED)
{
	for (unsigned format = 1; format <= REC_FORMAT; format++) {
		_cleanup_free_ char *rec = make_rec("ok.ks", format, NULL, 0, NULL);
		struct res r = RUN(60, "report", rec, "--format", "json");
		expect(&r, 0, "");
		json_object *o = json_tokener_parse(r.out);
		assert_non_null(o);
		json_object *w = json_object_object_get(o, "window");
		assert_string_equal(json_object_get_string(json_object_object_get(w, "source")), "recording");
		assert_true(fabs(json_object_get_double(json_object_object_get(w, "duration_s")) - 1.000165) < 1e-6);
		json_object_put(o);
		res_free(&r);
	}
}

/* The tracer's counters reach the kstall.* metrics as the window's
 * differences (or the later frame's, for settings), in their order. */
static void test_counters_reach_the_metrics(void **state UNUSED)
{
	static const struct edit edits[] = {
		{0, "traced:irqs_full", "3"},		{0, "traced:bpf_run_s", "0.25"},
		{1, "traced:duration_s", "2"},		{1, "traced:irqs_full", "7"},
		{1, "traced:has_bpf_stats", "true"},	{1, "traced:bpf_run_s", "0.5"},
		{1, "traced:bpf_run_cnt", "100"},	{1, "traced:bpf_stats_sampled_s", "0.2"},
		{1, "traced:nattached", "40"},		{1, "traced:paths_not_kept", "9"},
	};
	static const struct {
		const char *name;
		double value;
	} want[] = {
		{"kstall.tracing_duration", 1}, {"kstall.bpf_programs", 40},  {"kstall.bpf_stats_sampled", 0.2},
		{"kstall.bpf_run_time", 0.25},	{"kstall.bpf_run_count", 100}, {"kstall.bpf_cpu_share", 0.25},
		{"kstall.lost_events", 0},	{"kstall.events_not_kept", 0}, {"kstall.map_full_hist", 0},
		{"kstall.map_full_waits", 0},	{"kstall.map_full_lookups", 0}, {"kstall.map_full_vmops", 0},
		{"kstall.vmops_pruned", 0},	{"kstall.map_full_irqs", 4},  {"kstall.paths_sampled", 0},
		{"kstall.paths_unsampled", 0},	{"kstall.unreadable_files", 0}, {"kstall.malformed_files", 0},
		{"kstall.cpu_time", -1},
	};
	_cleanup_free_ char *rec = make_rec("ctr.ks", REC_FORMAT, edits, ARRAY_SIZE(edits), NULL);
	struct res r = RUN(60, "report", rec, "--format", "json");
	expect(&r, 0, "");
	json_object *o = json_tokener_parse(r.out);
	assert_non_null(o);
	size_t i = 0;
	json_object_object_foreach(json_object_object_get(o, "metrics"), name, m) {
		if (!str_starts_with(name, "kstall."))
			continue;
		if (i >= ARRAY_SIZE(want) || strcmp(name, want[i].name))
			fail_msg("metric %zu is %s, expected %s", i, name, i < ARRAY_SIZE(want) ? want[i].name : "none");
		double v = json_object_get_double(json_object_object_get(m, "value"));
		if (want[i].value >= 0 && fabs(v - want[i].value) > 1e-9)
			fail_msg("%s is %g, expected %g", name, v, want[i].value);
		i++;
	}
	assert_int_equal(i, ARRAY_SIZE(want));
	json_object_put(o);
	res_free(&r);
}

struct bad_frame {
	struct edit e;
	const char *why;
};

/* Each edit makes one frame of a recording of format invalid: report
 * refuses it, naming the frame's offset and the field, with exit 1 and
 * no crash. */
static void refused_frames(unsigned format, const struct bad_frame *cases, size_t ncases)
{
	for (size_t i = 0; i < ncases; i++) {
		off_t off[2];
		_cleanup_free_ char *rec = make_rec("bad.ks", format, &cases[i].e, 1, off);
		_cleanup_free_ char *msg = xasprintf("frame at byte %lld: %s", (long long)off[cases[i].e.frame],
						     cases[i].why);
		struct res r = RUN(60, "report", rec);
		if (r.status != 1 || !strstr(r.err, msg))
			fail_msg("format %u, %s := %s: expected exit 1 and \"%s\"; got exit %d, stderr:\n%s", format,
				 cases[i].e.path, cases[i].e.value ? cases[i].e.value : "(removed)", msg, r.status, r.err);
		res_free(&r);
	}
}

static void test_malformed_frames_are_refused(void **state UNUSED)
{
	/* Format 1, as kstall 0.1.0 wrote it. */
	static const struct bad_frame cases[] = {
		{{1, "traced:stats", NULL}, "traced.stats is missing"},
		{{1, "traced:hists", NULL}, "traced.hists is missing"},
		{{1, "traced:lookups", NULL}, "traced.lookups is missing"},
		{{1, "traced:events", NULL}, "traced.events is missing"},
		{{0, "traced:stats", "{\"a\":1}"}, "traced.stats is an object, not an array"},
		{{1, "traced:hists", "{}"}, "traced.hists is an object, not an array"},
		{{1, "traced:lookups", "\"x\""}, "traced.lookups is a string, not an array"},
		{{1, "traced:events", "3"}, "traced.events is an integer, not an array"},
		{{1, "traced:hists:0:7", NULL}, "traced.hists[0] has 7 fields, expected 12"},
		{{1, "traced:hists:0:5", "-3"}, "traced.hists[0].count is negative"},
		{{1, "traced:duration_s", NULL}, "traced.duration_s is missing"},
		{{1, "traced", "[]"}, "traced is an array, not an object"},
		{{1, "files", "\"proc/stat\""}, "files is a string, not an object"},
		{{1, "files", "[1,2]"}, "files is an array, not an object"},
		{{0, "host_files", "null"}, "host_files is null, not an object"},
		{{0, "host_files:proc/meminfo", "7"}, "host_files: entry"},
		{{1, "files:proc/stat", "{}"}, "files: entry 0 is an object, not a string"},
		{{1, "files:../kstall-test-escape", "\"x\""}, "files: entry 0 is not a relative path inside the tree"},
		{{1, "t_mono", NULL}, "t_mono is missing"},
		{{1, "t_mono", "\"soon\""}, "t_mono is a string, not a number"},
		{{1, "t_mono", "50"}, "t_mono 50.000 is not after the window's first sample's 100.000"},
	};
	refused_frames(1, cases, ARRAY_SIZE(cases));
	assert_int_equal(access("/tmp/kstall-test-escape", F_OK), -1);
	/* What record writes: by name, every counter and field required. */
	static const struct bad_frame by_name[] = {
		{{1, "traced:irqs_full", NULL}, "traced.irqs_full is missing"},
		{{0, "traced:ringbuf_lost", NULL}, "traced.ringbuf_lost is missing"},
		{{1, "traced:hists:0:count", NULL}, "traced.hists[0].count is missing"},
		{{1, "traced:hists:0", "[]"}, "traced.hists[0] is an array, not an object"},
		{{1, "traced:hists:0:count", "-3"}, "traced.hists[0].count is negative"},
	};
	refused_frames(REC_FORMAT, by_name, ARRAY_SIZE(by_name));
}

static void test_header_is_validated(void **state UNUSED)
{
	_cleanup_free_ char *rec = xasprintf("%s/hdr.ks", tmpl);
	int fd = open(rec, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(rec_write_frame(fd, REC_HEADER, "{\"format\":1,\"user_hz\":100}"), 0);
	assert_int_equal(rec_write_frame(fd, REC_INTERVAL, "{\"t_mono\":1,\"t_real\":1}"), 0);
	assert_int_equal(rec_write_frame(fd, REC_INTERVAL, "{\"t_mono\":2,\"t_real\":2}"), 0);
	close(fd);
	struct res r = RUN(30, "report", rec);
	expect(&r, 1, "frame at byte 0: header.interval_s is missing");
	res_free(&r);
}

static void test_not_a_regular_file(void **state UNUSED)
{
	struct res r = RUN(30, "report", "/dev/zero");
	expect(&r, 1, "/dev/zero is a character device, not a recording");
	assert_true(r.secs < 10);
	res_free(&r);
	r = RUN(30, "report", tmpl);
	expect(&r, 1, "is a directory, not a recording");
	res_free(&r);
	/* A FIFO with no writer: the open must not wait for one. */
	_cleanup_free_ char *fifo = xasprintf("%s/fifo", tmpl);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	r = RUN(20, "report", fifo);
	assert_true(r.status != -1);
	expect(&r, 1, "is a FIFO, not a recording");
	res_free(&r);
	unlink(fifo);
}

/* n frames, each len bytes of head then spaces then "}" deflated, each
 * claiming len. */
static char *bomb(const char *name, int nframes, size_t len, const char *head)
{
	z_stream zs = {0};
	struct buf z = {0};
	static char spaces[1 << 20];
	unsigned char out[1 << 16];
	memset(spaces, ' ', sizeof(spaces));
	assert_int_equal(deflateInit(&zs, 9), Z_OK);
	for (size_t done = 0; done < len;) {
		size_t n = len - done < sizeof(spaces) ? len - done : sizeof(spaces);
		if (done == 0)
			memcpy(spaces, head, strlen(head));
		spaces[n - 1] = done + n == len ? '}' : ' ';
		zs.next_in = (unsigned char *)spaces;
		zs.avail_in = (uInt)n;
		done += n;
		do {
			zs.next_out = out;
			zs.avail_out = sizeof(out);
			assert_true(deflate(&zs, done == len ? Z_FINISH : Z_NO_FLUSH) != Z_STREAM_ERROR);
			buf_append(&z, out, sizeof(out) - zs.avail_out);
		} while (zs.avail_out == 0);
		memset(spaces, ' ', sizeof(spaces));
	}
	deflateEnd(&zs);
	char *path = xasprintf("%s/%s", tmpl, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(rec_write_frame(fd, REC_HEADER, "{\"format\":1,\"interval_s\":1,\"user_hz\":100}"), 0);
	char line[96];
	int hl = snprintf(line, sizeof(line), "KSREC1 I %zu %zu %08lx\n", z.len, len,
			  (unsigned long)crc32(0, (unsigned char *)z.data, (uInt)z.len));
	for (int i = 0; i < nframes; i++) {
		assert_int_equal(write(fd, line, (size_t)hl), hl);
		assert_int_equal(write(fd, z.data, z.len), (ssize_t)z.len);
		assert_int_equal(write(fd, "\n", 1), 1);
	}
	close(fd);
	buf_free(&z);
	return path;
}

static void test_decompression_is_bounded(void **state UNUSED)
{
	/* 8 frames of ~260 KB, each claiming (and holding) 256 MiB: some
	 * 2 MB of file. Refused from the first header line. */
	_cleanup_free_ char *rec = bomb("bomb.ks", 8, 256u << 20, "{");
	struct stat st;
	assert_int_equal(stat(rec, &st), 0);
	assert_true(st.st_size < 3 << 20);
	struct res r = RUN(60, "report", rec);
	if (r.maxrss_kb > 200 * 1024 || r.secs > 20)
		fail_msg("report took %ld MB of RSS and %.1f s", r.maxrss_kb / 1024, r.secs);
	expect(&r, 1, "claims 268435456 bytes, over the 64 MiB limit");
	res_free(&r);

	/* At the per-frame limit: every frame is valid as far as the reader
	 * goes, and --from needs each one's t_mono, which is not where record
	 * puts it: each is decoded whole, one at a time, and the whole decode
	 * stops at 256 MiB. */
	_cleanup_free_ char *rec2 = bomb("bomb64.ks", 8, 64u << 20, "{ \"t_mono\":1");
	r = RUN(120, "report", rec2, "--from", "1");
	expect(&r, 1, "limit of 256 MiB decompressed per report");
	if (r.maxrss_kb > 200 * 1024)
		fail_msg("report took %ld MB of RSS", r.maxrss_kb / 1024);
	res_free(&r);
	unlink(rec);
	unlink(rec2);
}

static void test_window_outside_the_recording(void **state UNUSED)
{
	_cleanup_free_ char *rec = make_rec("win.ks", REC_FORMAT, NULL, 0, NULL);
	struct res r = RUN(30, "report", rec, "--from", "50");
	expect(&r, 1, "is 1.0 s long (from its first sample to its last): --from 50 is past its end");
	res_free(&r);
	r = RUN(30, "report", rec, "--to", "0.2");
	expect(&r, 1, "holds one sample: a report needs two");
	res_free(&r);
	r = RUN(30, "report", rec, "--from", "3", "--to", "1");
	expect(&r, 2, "--from 3 is not before --to 1");
	res_free(&r);
	r = RUN(30, "report", rec, "--from", "0.8", "--to", "1");
	expect(&r, 1, "holds one sample");
	res_free(&r);
}

/* ---- record -o ---- */

static void test_record_refuses_links_and_fifos(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "record needs root and kernel BTF");
	_cleanup_free_ char *target = xasprintf("%s/target", tmpl), *link = xasprintf("%s/link", tmpl),
			    *fifo = xasprintf("%s/rfifo", tmpl);
	int fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(fd, "precious\n", 9), 9);
	close(fd);
	assert_int_equal(symlink(target, link), 0);
	struct res r = RUN(30, "record", "-o", link, "--duration", "1");
	expect(&r, 1, "is a symbolic link");
	res_free(&r);
	_cleanup_free_ char *t = slurp(target, NULL);
	assert_string_equal(t, "precious\n");
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));

	/* An existing file that is not a recording is not appended to. */
	r = RUN(30, "record", "-o", target, "--duration", "1");
	expect(&r, 1, "is not a kstall recording");
	res_free(&r);
	free(t);
	t = slurp(target, NULL);
	assert_string_equal(t, "precious\n");

	assert_int_equal(mkfifo(fifo, 0600), 0);
	r = RUN(20, "record", "-o", fifo, "--duration", "1");
	assert_true(r.status != -1);
	expect(&r, 1, "is not a regular file");
	res_free(&r);
	r = RUN(20, "record", "-o", "/dev/null", "--duration", "1");
	expect(&r, 1, "is not a regular file");
	res_free(&r);
}

/* Unprivileged: it says tracing needs root, and leaves no file. */
static void test_record_unprivileged_leaves_nothing(void **state UNUSED)
{
	REQUIRE_OR_SKIP(geteuid() == 0, "dropping to an unprivileged user needs root");
	char dir[] = "/tmp/kstall-test-rcli-nobody-XXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0777), 0);
	_cleanup_free_ char *out = xasprintf("%s/rec.ks", dir);
	struct res r = run_as(30, 65534, (char *const[]){"record", "-o", out, "--duration", "1", NULL});
	expect(&r, 1, "needs root");
	res_free(&r);
	assert_int_equal(access(out, F_OK), -1);
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Tracing that fails to start (a cgroup that is not there) leaves no
 * file behind either; an existing recording is appended to. */
static void test_record_failure_and_append(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "record needs root and kernel BTF");
	_cleanup_free_ char *out = xasprintf("%s/fail.ks", tmpl);
	struct res r = RUN(60, "record", "-o", out, "-c", "/nonexistent-kstall-cgroup", "--duration", "1");
	expect(&r, 1, "no cgroup.procs there");
	res_free(&r);
	assert_int_equal(access(out, F_OK), -1);

	_cleanup_free_ char *rec = xasprintf("%s/append.ks", tmpl);
	for (int i = 0; i < 2; i++) {
		r = RUN(60, "record", "-o", rec, "--duration", "1", "--interval", "0.5");
		expect(&r, 0, "");
		res_free(&r);
	}
	struct rec_file f;
	assert_int_equal(rec_open_fd(open(rec, O_RDONLY), &f), 0);
	size_t headers = 0;
	for (size_t i = 0; i < f.n; i++)
		headers += f.v[i].type == REC_HEADER;
	assert_int_equal(headers, 2);
	assert_int_equal(f.bytes_ignored, 0);
	rec_file_close(&f);
	r = RUN(60, "report", rec, "--format", "json");
	expect(&r, 0, "");
	res_free(&r);
}

/* One recorder per file: a second record -o of a file being recorded to
 * is refused (their frames would interleave into one segment), and the
 * recording is private (0600). */
static void test_record_one_at_a_time(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "record needs root and kernel BTF");
	_cleanup_free_ char *rec = xasprintf("%s/one.ks", tmpl), *d2 = xasprintf("%s/second", tmpl);
	assert_int_equal(mkdir(d2, 0700), 0);
	pid_t first = fork();
	assert_true(first >= 0);
	if (first == 0) {
		struct res r = kstall_run(&(struct run_opts){.dir = d2, .timeout_s = 60},
					  (char *const[]){"record", "-o", rec, "--duration", "4", "--interval", "1", NULL});
		_exit(r.status == 0 ? 0 : 1);
	}
	struct stat st;
	for (int i = 0; i < 400 && (stat(rec, &st) < 0 || st.st_size == 0); i++)
		usleep(10000);
	struct res r = RUN(60, "record", "-o", rec, "--duration", "1", "--interval", "0.5");
	expect(&r, 1, "is being recorded to by another kstall");
	res_free(&r);
	int status;
	assert_int_equal(waitpid(first, &status, 0), first);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(stat(rec, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	struct rec_file f;
	assert_int_equal(rec_open_fd(open(rec, O_RDONLY), &f), 0);
	size_t headers = 0;
	for (size_t i = 0; i < f.n; i++)
		headers += f.v[i].type == REC_HEADER;
	assert_int_equal(headers, 1); /* one segment: the refused run wrote nothing */
	rec_file_close(&f);
}

/* A write that fails part way (here a file-size limit) stops the
 * recording, still prints the report, and exits 1: the output asked for
 * is not whole. What was written stays readable. */
static void test_record_failed_write_exits_1(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "record needs root and kernel BTF");
	_cleanup_free_ char *rec = xasprintf("%s/limit.ks", tmpl);
	struct res r = kstall_run(&(struct run_opts){.dir = tmpl, .timeout_s = 60, .fsize_limit = 48 << 10},
				  (char *const[]){"record", "-o", rec, "--duration", "4", "--interval", "0.5",
						  "--format", "json", NULL});
	expect(&r, 1, "recording stopped");
	json_object *o = json_tokener_parse(r.out);
	assert_non_null(o); /* the report of the window */
	json_object_put(o);
	res_free(&r);
	r = RUN(60, "report", rec, "--format", "json");
	expect(&r, 0, "");
	res_free(&r);
}

static int setup(void **state UNUSED)
{
	return mkdtemp(tmpl) ? 0 : -1;
}

static int teardown(void **state UNUSED)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpl);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_recording_reports),
		cmocka_unit_test(test_counters_reach_the_metrics),
		cmocka_unit_test(test_malformed_frames_are_refused),
		cmocka_unit_test(test_header_is_validated),
		cmocka_unit_test(test_not_a_regular_file),
		cmocka_unit_test(test_decompression_is_bounded),
		cmocka_unit_test(test_window_outside_the_recording),
		cmocka_unit_test(test_record_refuses_links_and_fifos),
		cmocka_unit_test(test_record_unprivileged_leaves_nothing),
		cmocka_unit_test(test_record_one_at_a_time),
		cmocka_unit_test(test_record_failed_write_exits_1),
		cmocka_unit_test(test_record_failure_and_append),
	};
	return cmocka_run_group_tests_name("report_cli", tests, setup, teardown);
}

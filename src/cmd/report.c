/* kstall report FILE: the findings of a recording, offline, on any
 * machine. The window's two boundary samples are rebuilt as a snapshot
 * tree, in memory, and read by the same collect(); the tracer's state is
 * the difference of the two boundary frames.
 *
 * A recording is input from elsewhere: only a regular file is read, a
 * frame is decompressed only when it is used (one at a time, within the
 * reader's limits), and every frame used is validated before anything of
 * it is written or analysed (docs/record-format.md). */
#include "cmd.h"
#include "../lib/memtree.h"
#include "../record/recfile.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <sys/stat.h>

/* A frame's files into the window's tree (prefix: kstall/sample0/ for
 * the earlier sample). Nothing is written to disk. */
static int add_files(struct memtree *t, const char *prefix, json_object *files)
{
	/* Validated already (rec_interval_parse); checked again here. */
	if (!json_object_is_type(files, json_type_object))
		return -EINVAL;
	json_object_object_foreach(files, path, val) {
		_cleanup_free_ char *rel = xasprintf("%s%s", prefix, path);
		_cleanup_free_ char *clean = memtree_clean_path(rel);
		if (!clean || strcmp(clean, rel) || !json_object_is_type(val, json_type_string))
			return -EINVAL;
		memtree_add(t, clean, json_object_get_string(val), (size_t)json_object_get_string_len(val));
	}
	return 0;
}

#define TAKE_TRACED(t) ({ struct traced _t = (t); (t) = (struct traced){0}; _t; })

/* Open the recording: a regular file or nothing; anything else is not
 * even opened (open_regular_path). 0, or EXIT_CANNOT_RUN after saying why. */
static int open_recording(const char *path, struct rec_file *ret)
{
	char why[128];
	int fd, err = open_regular_path(path, &fd, why, sizeof(why));

	if (err == -EISDIR || err == -EINVAL) {
		fprintf(stderr, "kstall: %s is %s, not a recording\n", path, why);
		return EXIT_CANNOT_RUN;
	}
	if (err < 0) {
		fprintf(stderr, "kstall: cannot open %s: %s\n", path, why);
		return EXIT_CANNOT_RUN;
	}
	err = rec_open_fd(fd, ret);
	if (err < 0) {
		fprintf(stderr, "kstall: cannot read %s: %s\n", path,
			err == -ENODATA ? "it shrank while it was being read" : strerror(-err));
		return EXIT_CANNOT_RUN;
	}
	if (!ret->n) {
		fprintf(stderr, "kstall: %s is not a kstall recording: %s\n", path, ret->tail_reason);
		rec_file_close(ret);
		return EXIT_CANNOT_RUN;
	}
	return 0;
}

/* Frame i, decoded and validated (in its segment's format), or -errno
 * after saying why. */
static int load_interval(struct rec_file *f, size_t i, unsigned format, const char *path, struct rec_interval *ret)
{
	_cleanup_free_ char *json = NULL;
	char why[200];

	if (f->v[i].type != REC_INTERVAL) {
		fprintf(stderr, "kstall: %s: frame at byte %" PRIu64 " is a header where a sample was expected\n",
			path, f->v[i].offset);
		return -EINVAL;
	}
	int rc = rec_frame_decode(f, i, &json);
	if (rc < 0) {
		fprintf(stderr, "kstall: %s: %s\n", path, f->error);
		return rc;
	}
	rc = rec_interval_parse(json, format, why, sizeof(why), ret);
	if (rc < 0)
		fprintf(stderr, "kstall: %s: frame at byte %" PRIu64 ": %s\n", path, f->v[i].offset, why);
	return rc;
}

/* The frames a and b that bound the window asked for, or
 * EXIT_CANNOT_RUN after saying why. Frames fall near, not exactly on,
 * interval boundaries: --from and --to pick the frame within half an
 * interval of the time asked. Every frame's t_mono is read from the
 * first bytes of its payload, one frame at a time. */
static int pick_window(struct rec_file *f, size_t h, double half, const struct check_opts *o, size_t *ret_a,
		       size_t *ret_b)
{
	size_t a = h, b = f->n - 1;
	bool a_set = false;
	double t0 = 0, prev = 0, t = 0;

	if (o->from_s <= 0 && o->to_s <= 0) {
		*ret_a = a;
		*ret_b = b;
		return 0;
	}
	for (size_t i = h; i < f->n; i++) {
		double tm;
		if (rec_frame_t_mono(f, i, &tm) < 0) {
			fprintf(stderr, "kstall: %s: %s\n", o->output, f->error);
			return EXIT_CANNOT_RUN;
		}
		if (i == h)
			t0 = prev = tm;
		if (tm < prev) {
			fprintf(stderr, "kstall: %s: frame at byte %" PRIu64 ": t_mono %.3f is before the previous "
					"frame's %.3f\n", o->output, f->v[i].offset, tm, prev);
			return EXIT_CANNOT_RUN;
		}
		prev = tm;
		t = tm - t0;
		if (o->from_s > 0 && !a_set && t >= o->from_s - half) {
			a = i;
			a_set = true;
		}
		if (o->to_s > 0 && t <= o->to_s + half)
			b = i;
	}
	/* t: the recording's length, first sample to last. */
	if (o->from_s > 0 && (!a_set || o->from_s > t)) {
		fprintf(stderr, "kstall: %s is %.1f s long (from its first sample to its last): --from %g is past "
				"its end\n", o->output, t, o->from_s);
		return EXIT_CANNOT_RUN;
	}
	if (b <= a) {
		fprintf(stderr, "kstall: the window from %g s to %s%g s of %s (%.1f s long, a sample every %g s) holds "
				"one sample: a report needs two\n", o->from_s, o->to_s > 0 ? "" : "the end, ",
			o->to_s > 0 ? o->to_s : t, o->output, t, half * 2);
		return EXIT_CANNOT_RUN;
	}
	*ret_a = a;
	*ret_b = b;
	return 0;
}

/* The last segment's header, at frame h - 1 (h: its first interval
 * frame): 0, or -1 after saying why. */
static int load_header(struct rec_file *f, size_t *ret_h, const char *path, struct rec_header *ret)
{
	_cleanup_free_ char *json = NULL;
	char why[200];
	size_t h = f->n;

	while (h > 0 && f->v[h - 1].type != REC_HEADER)
		h--;
	if (h == 0 || f->n - h < 2) {
		fprintf(stderr, "kstall: %s holds fewer than two complete samples after its last header\n", path);
		return -1;
	}
	if (rec_frame_decode(f, h - 1, &json) < 0) {
		fprintf(stderr, "kstall: %s: %s\n", path, f->error);
		return -1;
	}
	if (rec_header_parse(json, why, sizeof(why), ret) < 0) {
		fprintf(stderr, "kstall: %s: frame at byte %" PRIu64 ": %s\n", path, f->v[h - 1].offset, why);
		return -1;
	}
	*ret_h = h;
	return 0;
}

/* The window from frame a to frame b, rebuilt: the files as a snapshot
 * tree (the segment's first frame h gives the host files, a the earlier
 * sample, b the later), and the tracer's state over it. One frame at a
 * time, freed once taken. 0, or -1 after saying why. */
static int load_window(struct rec_file *f, size_t h, size_t a, size_t b, const char *path,
		       const struct rec_header *hdr, struct memtree *tree, struct traced *ret_tw)
{
	struct rec_interval iv = {0};
	struct traced ta = {0}, tb = {0};
	_cleanup_free_ char *meta = NULL;
	int err = 0, rc = -1;

	if (load_interval(f, h, hdr->format, path, &iv) < 0)
		goto out;
	if ((err = add_files(tree, "", iv.host_files)) < 0)
		goto write_failed;
	if (a != h) {
		rec_interval_free(&iv);
		if (load_interval(f, a, hdr->format, path, &iv) < 0)
			goto out;
	}
	if ((err = add_files(tree, SNAPSHOT_SAMPLE0, iv.files)) < 0)
		goto write_failed;
	double ta_mono = iv.t_mono, ta_real = iv.t_real;
	ta = TAKE_TRACED(iv.traced);
	rec_interval_free(&iv);
	if (load_interval(f, b, hdr->format, path, &iv) < 0)
		goto out;
	if ((err = add_files(tree, "", iv.files)) < 0)
		goto write_failed;
	double tb_mono = iv.t_mono, tb_real = iv.t_real;
	tb = TAKE_TRACED(iv.traced);
	/* The rates divide by the time between the two samples. */
	if (!(tb_mono > ta_mono)) {
		fprintf(stderr, "kstall: %s: frame at byte %" PRIu64 ": t_mono %.3f is not after the window's first "
				"sample's %.3f\n", path, f->v[b].offset, tb_mono, ta_mono);
		goto out;
	}
	meta = xasprintf("kstall_snapshot_version=1\ninterval_s=%.17g\nt0=%.6f\nt1=%.6f\nuser_hz=%u\n",
			 tb_mono - ta_mono, ta_real, tb_real, hdr->user_hz);
	err = memtree_add(tree, SNAPSHOT_META, meta, strlen(meta));
write_failed:
	if (err < 0) {
		fprintf(stderr, "kstall: cannot rebuild the window's samples: %s\n", strerror(-err));
		goto out;
	}
	traced_diff(&ta, &tb, ret_tw);
	rc = 0;
out:
	rec_interval_free(&iv);
	traced_free(&ta);
	traced_free(&tb);
	return rc;
}

/* The window's samples read by collect(), as a snapshot's are, its
 * tracer state beside them; detect and render: the exit code. */
static int report_window(const struct check_opts *o, struct memtree *tree, struct traced *tw)
{
	struct sysroot *r;
	struct inputs in;
	struct report rep = {0};
	struct collect_opts co = {.interval_s = 1};
	int rc = EXIT_CANNOT_RUN;

	if (sysroot_open_mem(tree, o->output, &r) < 0)
		return rc;
	int crc = collect(r, &co, &in);
	if (crc < 0)
		fprintf(stderr, "kstall: %s: the window's samples hold no proc/ files to read\n", o->output);
	if (crc == 0) {
		in.window_source = "recording";
		traced_name_from_sample(tw, &in.cur);
		in.traced = tw;
		report_build(r, &in, &rep);
		rc = report_render(o, &rep);
		report_free(&rep);
		in.traced = NULL;
	}
	inputs_free(&in);
	sysroot_free(r);
	return rc;
}

/* FILE, and --from before --to, the option table requires. */
int cmd_report(struct check_opts *o)
{
	struct rec_file f = {.fd = -1};
	struct memtree tree = {0};
	struct rec_header hdr;
	struct traced tw = {0};
	size_t h, a, b;

	int rc = open_recording(o->output, &f);
	if (rc)
		goto out;
	rc = EXIT_CANNOT_RUN;
	if (f.bytes_ignored)
		fprintf(stderr, "kstall: %s: %" PRIu64 " bytes at the end ignored (%s): the report covers the frames "
				"before them\n", o->output, f.bytes_ignored, f.tail_reason);
	/* The last segment: its header and the interval frames after it. */
	if (load_header(&f, &h, o->output, &hdr) < 0 || pick_window(&f, h, hdr.interval_s / 2, o, &a, &b))
		goto out;
	if (load_window(&f, h, a, b, o->output, &hdr, &tree, &tw) < 0)
		goto out;
	rec_file_close(&f); /* everything needed is read */
	rc = report_window(o, &tree, &tw);
out:
	traced_free(&tw);
	rec_file_close(&f);
	memtree_free(&tree);
	return rc;
}

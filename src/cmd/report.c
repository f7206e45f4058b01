/* kstall report FILE: the findings of a recording, offline, on any
 * machine. The window's two boundary samples are rebuilt as a snapshot
 * tree and read by the same collect(); the tracer's state is the
 * difference of the two boundary frames. */
#include "cmd.h"
#include "../lib/fsutil.h"
#include "../record/recfile.h"

#include <json-c/json.h>

static int write_files(const char *dir, const char *prefix, json_object *files)
{
	if (!files)
		return 0;
	json_object_object_foreach(files, path, val) {
		if (!relpath_is_safe(path))
			return -EINVAL; /* a recording is input from elsewhere */
		_cleanup_free_ char *full = xasprintf("%s/%s%s", dir, prefix, path);
		int rc = write_whole_file(full, json_object_get_string(val),
					  (size_t)json_object_get_string_len(val));
		if (rc < 0)
			return rc;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct check_opts o;
	struct rec_file f = {0};
	char tmp[] = "/tmp/kstall-report-XXXXXX";
	bool made = false;
	json_object *ja = NULL, *jb = NULL, *j0 = NULL, *hdr = NULL;
	struct traced ta = {0}, tb = {0}, tw = {0};
	char *meta = NULL;
	int rc = check_opts_parse(argc, argv, &o, VERB_REPORT);

	if (rc)
		goto out;
	rc = EXIT_CANNOT_RUN;
	if (!o.output) {
		usage_error("usage: kstall report FILE [--from S] [--to S] [--format text|json]");
		rc = EXIT_USAGE;
		goto out;
	}
	int err = rec_read(o.output, &f);
	if (err < 0) {
		fprintf(stderr, "kstall: %s is not a kstall recording: %s\n", o.output, strerror(-err));
		goto out;
	}
	if (f.bytes_ignored)
		fprintf(stderr, "kstall: %s: %zu bytes at the end ignored (%s): the report covers the frames "
				"before them\n", o.output, f.bytes_ignored, f.tail_reason);
	/* The last segment: its header and the interval frames after it. */
	size_t h = f.n;
	while (h > 0 && f.v[h - 1].type != REC_HEADER)
		h--;
	if (h == 0 || f.n - h < 2) {
		fprintf(stderr, "kstall: %s holds fewer than two complete samples after its last header\n", o.output);
		goto out;
	}
	hdr = json_tokener_parse(f.v[h - 1].json);
	j0 = json_tokener_parse(f.v[h].json);
	double t0 = json_object_get_double(json_object_object_get(j0, "t_mono"));
	/* Frames fall near, not exactly on, interval boundaries: --from and
	 * --to pick the frame within half an interval of the time asked. */
	double half = json_object_get_double(json_object_object_get(hdr, "interval_s")) / 2;
	size_t a = h, b = f.n - 1;
	bool a_set = false;
	for (size_t i = h; i < f.n; i++) {
		json_object *j = json_tokener_parse(f.v[i].json);
		double t = json_object_get_double(json_object_object_get(j, "t_mono")) - t0;
		json_object_put(j);
		if (o.from_s > 0 && !a_set && t >= o.from_s - half) {
			a = i;
			a_set = true;
		}
		if (o.to_s > 0 && t <= o.to_s + half)
			b = i;
	}
	if (b <= a) {
		fprintf(stderr, "kstall: the window --from %.0f --to %.0f holds fewer than two samples\n", o.from_s,
			o.to_s);
		goto out;
	}
	ja = json_tokener_parse(f.v[a].json);
	jb = json_tokener_parse(f.v[b].json);
	if (!ja || !jb || !j0 || !hdr) {
		fprintf(stderr, "kstall: %s: a frame does not parse\n", o.output);
		goto out;
	}
	if (!mkdtemp(tmp))
		goto out;
	made = true;
	double ta_mono = json_object_get_double(json_object_object_get(ja, "t_mono"));
	double tb_mono = json_object_get_double(json_object_object_get(jb, "t_mono"));
	meta = xasprintf(
		"kstall_snapshot_version=1\ninterval_s=%.17g\nt0=%.6f\nt1=%.6f\nuser_hz=%d\n", tb_mono - ta_mono,
		json_object_get_double(json_object_object_get(ja, "t_real")),
		json_object_get_double(json_object_object_get(jb, "t_real")),
		json_object_get_int(json_object_object_get(hdr, "user_hz")));
	json_object *m = json_object_new_object();
	json_object_object_add(m, SNAPSHOT_META, json_object_new_string(meta));
	err = write_files(tmp, "", json_object_object_get(j0, "host_files"));
	if (!err)
		err = write_files(tmp, "", json_object_object_get(jb, "files"));
	if (!err)
		err = write_files(tmp, SNAPSHOT_SAMPLE0, json_object_object_get(ja, "files"));
	if (!err)
		err = write_files(tmp, "", m);
	json_object_put(m);
	if (err) {
		fprintf(stderr, "kstall: cannot rebuild the window's samples: %s\n", strerror(-err));
		goto out;
	}
	if (traced_from_json(json_object_to_json_string(json_object_object_get(ja, "traced")), &ta) < 0 ||
	    traced_from_json(json_object_to_json_string(json_object_object_get(jb, "traced")), &tb) < 0) {
		fprintf(stderr, "kstall: %s: tracer state does not parse\n", o.output);
		goto out;
	}
	traced_diff(&ta, &tb, &tw);

	struct sysroot *r;
	if (sysroot_open(tmp, &r) < 0)
		goto out;
	struct inputs in;
	struct report rep = {0};
	struct collect_opts co = {.interval_s = 1};
	if (collect(r, &co, &in) == 0) {
		in.window_source = "recording";
		in.traced = &tw;
		report_build(r, &in, &rep);
		rc = report_render(&o, &rep);
		report_free(&rep);
		in.traced = NULL;
	}
	inputs_free(&in);
	sysroot_free(r);
out:
	free(meta);
	json_object_put(ja);
	json_object_put(jb);
	json_object_put(j0);
	json_object_put(hdr);
	traced_free(&ta);
	traced_free(&tb);
	traced_free(&tw);
	rec_file_free(&f);
	if (made)
		rm_rf(tmp);
	check_opts_free(&o);
	return finish_output(rc);
}

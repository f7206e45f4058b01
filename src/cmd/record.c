/* kstall record -o FILE: what watch does, written to FILE every
 * --interval (default 10 s) as frames of a versioned, appendable
 * recording (docs/record-format.md); the window's report at the end, as
 * for watch. The run is live.c's; this file writes the frames and owns
 * the file. */
#include "live.h"
#include "../record/recfile.h"
#include "../trace/trace.h"

#include <sys/stat.h>

struct recorder {
	int fd;
	bool stopped; /* a write failed: no more frames, and exit 1 */
};

/* A frame per interval: the files read since the last frame (the first
 * also carries the host files, read once) and the tracer's cumulative
 * state. */
static int record_frame(int fd, struct sysroot *r, size_t host_files, const struct sample *s,
			const struct traced *t, bool first)
{
	const struct capture_entry *e;
	size_t n = sysroot_captured(r, &e);
	char *files = files_to_json(e, n, first ? host_files : 0);
	char *host = first ? files_to_json(e, host_files, 0) : xstrdup("{}");
	char *tj = traced_to_json(t);
	char *frame = xasprintf("{\"t_mono\":%.9f,\"t_real\":%.6f,\"host_files\":%s,\"files\":%s,\"traced\":%s}",
				s->t_mono, s->t_real, host, files, tj);
	int rc = rec_write_frame(fd, REC_INTERVAL, frame);
	free(files);
	free(host);
	free(tj);
	free(frame);
	sysroot_capture_clear(r);
	return rc;
}

/* The segment's header, and the first sample as its first frame. */
static int record_start(void *ctx, struct live *l)
{
	const struct recorder *rec = ctx;
	const struct check_opts *o = l->o;
	char *hdr = xasprintf("{\"format\":%d,\"kstall_version\":\"%s\",\"interval_s\":%.9f,\"threshold_ms\":%.3f,"
			      "\"user_hz\":%u,\"t_real\":%.6f}",
			      REC_FORMAT, KSTALL_VERSION, o->interval_s, o->threshold_ms, l->in.host.user_hz,
			      l->in.prev->t_real);
	struct traced zero = {.threshold_ms = o->threshold_ms, .groups = tracer_groups(l->t)};
	int wrc = rec_write_frame(rec->fd, REC_HEADER, hdr);
	if (wrc == 0)
		wrc = record_frame(rec->fd, l->r, l->host_files, l->in.prev, &zero, true);
	free(hdr);
	if (wrc < 0)
		fprintf(stderr, "kstall: writing the recording failed: %s\n", strerror(-wrc));
	return wrc;
}

static void record_interval(void *ctx, struct live *l, bool last UNUSED)
{
	struct recorder *rec = ctx;

	if (rec->stopped)
		return;
	int wrc = record_frame(rec->fd, l->r, 0, &l->in.cur, &l->tr, false);
	if (wrc < 0) {
		/* A full disk ends the recording, not the report: what was
		 * written stays readable. */
		fprintf(stderr, "kstall: recording stopped: %s\n", strerror(-wrc));
		rec->stopped = true;
		sysroot_capture(l->r, false);
	}
}

/* FILE, opened to append a segment: a descriptor, or -1 after saying why. */
static int record_open(const char *path, bool *ret_created)
{
	int fd = rec_open_append(path, ret_created);

	if (fd >= 0)
		return fd;
	if (fd == -ELOOP)
		fprintf(stderr, "kstall: %s is a symbolic link: a recording is not written through one\n", path);
	else if (fd == -EINVAL)
		fprintf(stderr, "kstall: %s is not a regular file (a FIFO, a device or a socket): a recording "
				"is a regular file\n", path);
	else if (fd == -EISDIR)
		fprintf(stderr, "kstall: %s is a directory: record -o takes a file\n", path);
	else if (fd == -EEXIST)
		fprintf(stderr, "kstall: %s exists and is not a kstall recording: not appending to it\n", path);
	else if (fd == -EBUSY)
		fprintf(stderr, "kstall: %s is being recorded to by another kstall: two recorders would "
				"interleave their frames\n", path);
	else
		fprintf(stderr, "kstall: cannot open %s: %s\n", path, strerror(-fd));
	return -1;
}

/* Sync and close; a file this run made and wrote nothing to (tracing
 * failed to start) is not left behind, and its name is removed only if
 * it is still the file kstall made. */
static void record_close(const char *path, int fd, bool created)
{
	struct stat st, now;

	if (fsync(fd) < 0 && errno != EINVAL)
		fprintf(stderr, "kstall: %s: %s\n", path, strerror(errno));
	if (created && fstat(fd, &st) == 0 && st.st_size == 0 && lstat(path, &now) == 0 && now.st_dev == st.st_dev &&
	    now.st_ino == st.st_ino)
		unlink(path);
	close(fd);
}

/* -o the option table requires; that tracing can run the dispatcher made
 * sure (CMD_NEEDS_ROOT), before there is a file to leave behind. */
int cmd_record(struct check_opts *o)
{
	bool created = false;

	if (!o->interval_set)
		o->interval_s = 10;
	/* Appendable: a new header starts a new segment. */
	int fd = record_open(o->output, &created);
	if (fd < 0)
		return EXIT_CANNOT_RUN;
	if (o->format == FORMAT_TEXT && isatty(STDERR_FILENO))
		fprintf(stderr, "kstall: recording to %s every %.0f s%s\n", o->output, o->interval_s,
			o->duration_s > 0 ? "" : " until Ctrl-C");
	struct recorder rec = {.fd = fd};
	struct live_hooks h = {.ctx = &rec, .capture = true, .start = record_start, .interval = record_interval};
	/* The report at the end goes to stdout as for watch. */
	int rc = live_run(o, &h);
	/* The report is printed, but the output asked for is not whole. */
	if (rec.stopped && rc == EXIT_RAN)
		rc = EXIT_CANNOT_RUN;
	record_close(o->output, fd, created);
	return rc;
}

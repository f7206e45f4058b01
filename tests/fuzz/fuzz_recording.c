/* libFuzzer harness for the recording reader (src/record/recfile.c). The
 * first byte picks what the rest is:
 *   even: a recording file, read as report reads one: put in a memfd and
 *         indexed by rec_open_fd (header lines, checksums, limits), then
 *         each frame's t_mono from its first bytes, its whole decode, and
 *         its payload through rec_header_parse or rec_interval_parse (in
 *         the format of the last header that parsed);
 *   odd:  a payload, given to traced_from_json, rec_header_parse and
 *         rec_interval_parse (in format 1 and in REC_FORMAT), and written
 *         as a frame and read back.
 * Seeds: tests/fuzz/seed-recording.sh. A crash, a sanitizer report, a
 * refusal without a reason, or a parsed state (of any format) that does
 * not survive a round trip through traced_to_json (REC_FORMAT) is a bug. */
#include "record/recfile.h"

#include <json-c/json.h>
#include <sys/mman.h>

#define BUG() __builtin_trap()

static int memfd = -1;

/* Lossless: what was accepted serialises and reads back the same. */
static void round_trip(const struct traced *t)
{
	char why[256] = "";
	struct traced u;
	char *j1 = traced_to_json(t);
	if (traced_from_json(j1, REC_FORMAT, why, sizeof(why), &u) != 0)
		BUG();
	char *j2 = traced_to_json(&u);
	if (strcmp(j1, j2))
		BUG();
	free(j1);
	free(j2);
	traced_free(&u);
}

/* A refusal is -EINVAL with a reason. */
static void refused(int rc, const char *why)
{
	if (rc != -EINVAL || !why[0])
		BUG();
}

/* format: the interval frames'; *format becomes a header's that parses. */
static void check_payload(const char *json, enum rec_type type, unsigned *format)
{
	char why[256] = "";
	struct traced t;
	struct rec_header h;
	struct rec_interval iv;

	int rc = traced_from_json(json, *format, why, sizeof(why), &t);
	if (rc == 0) {
		round_trip(&t);
		traced_free(&t);
	} else {
		refused(rc, why);
	}
	if (type != REC_INTERVAL) {
		why[0] = '\0';
		rc = rec_header_parse(json, why, sizeof(why), &h);
		if (rc == 0 && !(h.interval_s > 0 && h.user_hz > 0 && h.format >= 1 && h.format <= REC_FORMAT))
			BUG();
		if (rc)
			refused(rc, why);
		else if (type == REC_HEADER)
			*format = h.format;
	}
	if (type != REC_HEADER) {
		why[0] = '\0';
		rc = rec_interval_parse(json, *format, why, sizeof(why), &iv);
		if (rc == 0) {
			if (!json_object_is_type(iv.files, json_type_object) ||
			    !json_object_is_type(iv.host_files, json_type_object))
				BUG();
			json_object_object_foreach(iv.files, path, val) {
				if (path[0] == '/' || strstr(path, "..") == path || !json_object_is_type(val, json_type_string))
					BUG();
			}
			round_trip(&iv.traced);
			rec_interval_free(&iv);
		} else {
			refused(rc, why);
		}
	}
}

static void put_file(const uint8_t *data, size_t size)
{
	/* rec_write_frame appends at the file offset: rewind it too. */
	if (ftruncate(memfd, 0) < 0 || lseek(memfd, 0, SEEK_SET) < 0 ||
	    (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
		abort();
}

static void read_recording(void)
{
	struct rec_file f;
	int fd = dup(memfd);
	if (fd < 0)
		abort();
	if (rec_open_fd(fd, &f) != 0)
		BUG(); /* a regular file always indexes, if only to nothing */
	if ((f.bytes_ignored || !f.n) && f.size && !f.tail_reason[0])
		BUG();
	/* Frames are contiguous, from byte 0 up to what was ignored. */
	uint64_t end = 0;
	for (size_t i = 0; i < f.n; i++) {
		if (f.v[i].offset != end || f.v[i].ulen > REC_MAX_FRAME)
			BUG();
		end = f.v[i].data + f.v[i].clen + 1;
	}
	if (end + f.bytes_ignored != f.size)
		BUG();
	f.decode_budget = 32u << 20; /* keep each run fast */
	unsigned format = REC_FORMAT;
	for (size_t i = 0; i < f.n && i < 64; i++) {
		double t;
		char *json;
		f.error[0] = '\0';
		int rc = rec_frame_t_mono(&f, i, &t);
		if (rc < 0 && (!f.error[0] || (rc != -EINVAL && rc != -E2BIG)))
			BUG();
		f.error[0] = '\0';
		rc = rec_frame_decode(&f, i, &json);
		if (rc < 0) {
			if (!f.error[0] || (rc != -EINVAL && rc != -E2BIG))
				BUG();
			continue;
		}
		if (strlen(json) != f.v[i].ulen)
			BUG();
		check_payload(json, f.v[i].type, &format);
		free(json);
	}
	rec_file_close(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memfd < 0 && (memfd = memfd_create("kstall-fuzz-recording", MFD_CLOEXEC)) < 0)
		abort();
	if (size < 1)
		return 0;
	if (data[0] % 2 == 0) {
		put_file(data + 1, size - 1);
		read_recording();
		return 0;
	}
	char *text = xstrndup((const char *)data + 1, size - 1); /* a payload is text: stop at NUL */
	for (unsigned format = 1; format <= REC_FORMAT; format++) {
		unsigned f = format;
		check_payload(text, 0, &f);
	}
	/* What the writer writes, the reader reads back, byte for byte. */
	put_file(NULL, 0);
	if (rec_write_frame(memfd, REC_INTERVAL, text) == 0) {
		struct rec_file f;
		char *back;
		int fd = dup(memfd);
		if (fd < 0 || rec_open_fd(fd, &f) != 0 || f.n != 1 || f.bytes_ignored ||
		    rec_frame_decode(&f, 0, &back) != 0 || strcmp(back, text))
			BUG();
		free(back);
		rec_file_close(&f);
	}
	free(text);
	return 0;
}

/* Recording files (docs/record-format.md): self-checking frames, so that a
 * file cut anywhere (kill -9, full disk) reads up to its last whole frame.
 *
 * A recording comes from elsewhere: the reader trusts nothing in it. It
 * indexes the frames with pread (header lines and checksums, nothing
 * decompressed and nothing held), decompresses a frame only when asked,
 * and bounds every frame and the whole decompression (the limits below). */
#ifndef KSTALL_RECFILE_H
#define KSTALL_RECFILE_H

#include "../collect/traced.h"
#include "../lib/sysroot.h"

#define REC_MAGIC "KSREC1"
/* The header's "format": what record writes (2: the tracer's state by
 * name; 3: lookups with their parent, groups of exited processes, the
 * times of failed lookups and slabinfo opens). report reads 1 and 2 too. */
#define REC_FORMAT 4

/* Limits, written and read alike (docs/record-format.md says why). */
#define REC_MAX_FRAME (64u << 20)          /* a frame's uncompressed payload */
#define REC_MAX_RATIO 1032u                /* deflate's most: ulen <= clen * 1032 */
#define REC_MAX_VALUES (4u << 20)          /* JSON values in one frame */
#define REC_MAX_DECODED (256ull << 20)     /* decompressed by one reader, in all */
#define REC_MAX_FRAMES (1u << 20)          /* frames indexed in one file */

enum rec_type { REC_HEADER = 'H', REC_INTERVAL = 'I' };

/* Append one frame: payload is JSON text, stored zlib-compressed. One
 * write(2) per frame. -EFBIG past REC_MAX_FRAME or REC_MAX_VALUES (a frame
 * the reader would refuse is not written). 0 or -errno. */
int rec_write_frame(int fd, enum rec_type type, const char *json);

/* Open path to append a recording: never through a symbolic link, never
 * a FIFO or a device (refused before it is opened, and checked again
 * once open), and an existing non-empty file only if it is a recording.
 * *ret_created says whether this call made the file. Returns the
 * descriptor, or -errno: -ELOOP a symbolic link, -EINVAL not a regular
 * file, -EEXIST a regular file that is not a recording. */
int rec_open_append(const char *path, bool *ret_created);

struct rec_frame {
	enum rec_type type;
	uint64_t offset; /* of its header line */
	uint64_t data;   /* of its compressed bytes */
	uint32_t clen, ulen, crc;
};

struct rec_file {
	int fd;
	uint64_t size;
	struct rec_frame *v; /* every whole frame, in file order */
	size_t n, cap;
	uint64_t bytes_ignored; /* an incomplete or damaged tail */
	char tail_reason[160];
	uint64_t decode_budget; /* bytes left to decompress (REC_MAX_DECODED at open) */
	char error[256];        /* why the last rec_frame_* call failed */
};

/* Index the frames of the regular file fd (taken: closed by
 * rec_file_close, or here on failure). Reads header lines and verifies
 * checksums; decompresses nothing. Stops at the first frame that is
 * incomplete, fails its checksum or breaks a limit, and says so in
 * bytes_ignored and tail_reason; n is 0 when the file does not start
 * with a frame. -EINVAL if fd is not a regular file, -EIO on a read
 * error. */
int rec_open_fd(int fd, struct rec_file *ret);
void rec_file_close(struct rec_file *f);

/* Frame i's payload, decompressed (free it). -EINVAL (error says why,
 * naming the frame's offset) if it does not decompress to exactly the
 * length its header claims, holds a NUL or too many JSON values;
 * -E2BIG past the reader's decode budget; -EIO on a read error. */
int rec_frame_decode(struct rec_file *f, size_t i, char **ret_json);
/* Frame i's t_mono, from the first bytes of its payload (interval frames
 * begin {"t_mono":N,"t_real":...); a whole decode when they do not. */
int rec_frame_t_mono(struct rec_file *f, size_t i, double *ret);

/* Frame payloads, validated: every field present with its type and in
 * range, or -EINVAL with the reason in why ("traced.hists[3].count is
 * missing"; format 1: "traced.hists[3] has 7 fields, expected 12"). why
 * may be NULL. An interval frame is read in its segment header's format. */
struct rec_header {
	unsigned format; /* 1 to REC_FORMAT */
	double interval_s;
	unsigned user_hz;
};
int rec_header_parse(const char *json, char *why, size_t whylen, struct rec_header *ret);

struct json_object;
struct rec_interval {
	double t_mono, t_real;
	/* {relative path: content}, every key a relative path inside the
	 * tree, every value a string; owned by root. */
	struct json_object *host_files, *files;
	struct traced traced;
	struct json_object *root;
};
int rec_interval_parse(const char *json, unsigned format, char *why, size_t whylen, struct rec_interval *ret);
void rec_interval_free(struct rec_interval *iv);

/* Lossless traced state <-> JSON (json-c objects as text): written in
 * REC_FORMAT, read in format 1 to REC_FORMAT. */
char *traced_to_json(const struct traced *t);
int traced_from_json(const char *json, unsigned format, char *why, size_t whylen, struct traced *ret);

/* Files read for one sample, as captured by the sysroot. */
char *files_to_json(const struct capture_entry *e, size_t n, size_t from);

#endif

/* Recording files (docs/record-format.md): self-checking frames, so that a
 * file cut anywhere (kill -9, full disk) reads up to its last whole frame. */
#ifndef KSTALL_RECFILE_H
#define KSTALL_RECFILE_H

#include "../collect/traced.h"
#include "../lib/sysroot.h"

#define REC_MAGIC "KSREC1"
#define REC_MAX_FRAME (256u << 20)

enum rec_type { REC_HEADER = 'H', REC_INTERVAL = 'I' };

/* Append one frame: payload is JSON text, stored zlib-compressed.
 * One write(2) per frame. 0 or -errno. */
int rec_write_frame(int fd, enum rec_type type, const char *json);

struct rec_frame {
	enum rec_type type;
	char *json; /* decompressed payload */
	size_t offset;
};

struct rec_file {
	struct rec_frame *v;
	size_t n, cap;
	size_t bytes_ignored; /* an incomplete or damaged tail */
	char tail_reason[128];
};

/* Read every whole frame of path. -errno if the file cannot be read or
 * does not start with a frame. */
int rec_read(const char *path, struct rec_file *ret);
void rec_file_free(struct rec_file *f);

/* Lossless traced state <-> JSON (json-c objects as text). */
char *traced_to_json(const struct traced *t);
int traced_from_json(const char *json, struct traced *ret);
/* b minus a: counters of the window between two cumulative states; events
 * after a's duration. */
void traced_diff(const struct traced *a, const struct traced *b, struct traced *ret);

/* Files read for one sample, as captured by the sysroot. */
char *files_to_json(const struct capture_entry *e, size_t n, size_t from);

#endif

/* Small helpers shared by every part of kstall: allocation, cleanup
 * attributes, growable buffers and arrays. */
#ifndef KSTALL_UTIL_H
#define KSTALL_UTIL_H

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED __attribute__((unused))
#define PRINTF_FMT(a, b) __attribute__((format(printf, a, b)))

/* Out of memory is not a condition kstall can diagnose its way out of:
 * abort with a message, as git does, rather than thread -ENOMEM through
 * every parser. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_FMT(1, 2);

static inline void freep(void *p) { free(*(void **)p); }
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }
static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_close_ _cleanup_(closep)
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })

/* Grow an array held as (ptr, n, cap) so that index n is valid. */
#define ARRAY_GROW(ptr, n, cap)                                                \
	do {                                                                   \
		if ((n) >= (cap)) {                                            \
			(cap) = (cap) ? (cap) * 2 : 8;                         \
			(ptr) = xrealloc((ptr), (cap) * sizeof(*(ptr)));       \
		}                                                              \
	} while (0)

/* A growable, always NUL-terminated byte buffer. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_printf(struct buf *b, const char *fmt, ...) PRINTF_FMT(2, 3);
void buf_free(struct buf *b);

/* A list of whole entries ("516 KiB: 3 mmap; 8 KiB: 1 mmap; +3 more"):
 * at most max_n of them (0: any number) in at most max_len bytes (0: any
 * length; the first entry is always kept). An entry that does not fit is
 * left out whole, with every one after it, and entries_end() says how
 * many. Zero-initialise, set the limits and sep (NULL: "; "), add, end,
 * then buf_free(&e.b). */
struct entries {
	struct buf b;
	size_t max_n, max_len;
	const char *sep;
	size_t shown, left;
	bool ended;
};
void entries_add(struct entries *e, const char *fmt, ...) PRINTF_FMT(2, 3);
/* The list, with "+N more" when entries were left out; "" when none was
 * added. Valid until buf_free(&e->b). */
const char *entries_end(struct entries *e);

double now_monotonic(void);
double now_realtime(void);
/* ISO 8601 UTC with milliseconds, into out (at least 32 bytes). */
void format_utc(double t, char *out, size_t outlen);

bool str_starts_with(const char *s, const char *prefix);
/* Write text from column col (already reached), words wrapped at width,
 * continuation lines indented to indent; then a newline. */
void fput_wrapped(FILE *out, const char *text, int col, int indent, int width);
/* write(2) all of data, retrying short writes. 0 or -errno. */
int write_all(int fd, const void *data, size_t len);
/* Free a NULL-terminated array of strings and the strings. */
void strv_free(char **v);
/* In place: runs of blanks as one space, none at either end ("IO-APIC
 * 5-edge ttyS0" from the kernel's padded columns). Returns s. */
char *str_squeeze_blanks(char *s);

/* Human-readable figures for titles, summaries, remedies and text output
 * (C locale): one formatter for each kind, so that a figure reads the same
 * wherever it appears. Each returns out; a NaN or infinity is "unknown".
 * A count, or the number of a rate (the caller writes the "/s" and what is
 * counted): "7500", "3634", "0.53", "15.0 k", "1.4 M". */
char *fmt_count(double v, char *out, size_t n);
char *fmt_rate(double per_s, char *out, size_t n);
/* A size: "516 KiB", "1032 KiB" exact, "23.5 GiB". */
char *fmt_bytes(double b, char *out, size_t n);
/* A share (0..1): "6.3%", "24%", "<0.1%". */
char *fmt_pct(double ratio, char *out, size_t n);
/* A duration: "126 ms", "32.8 ms", "1.26 s", "4.6 us", "0 s". */
char *fmt_duration(double seconds, char *out, size_t n);
/* A process's time, summed over its threads (nthreads, 0 when unknown),
 * against the window: "6.3% of the window"; with threads, "threads in
 * all" and the share per thread, so that a sum above the window is never
 * written as a share of it ("threads in all: 3.16 times the window; 40% of
 * it per thread over its 8 threads"). */
char *fmt_window_share(double summed_s, double window_s, int64_t nthreads, char *out, size_t n);

#endif

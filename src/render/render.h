/* Renderers: they only format what they are given. */
#ifndef KSTALL_RENDER_H
#define KSTALL_RENDER_H

#include "../model/inputs.h"
#include "../model/finding.h"

struct report {
	const struct inputs *in;
	struct findings findings;
	struct skips skips;
	struct skips partial; /* ids that ran over only part of the processes */
	bool unprivileged;    /* live without root: other users' per-process files are closed */
	struct metrics metrics;
	double kstall_cpu_s; /* kstall's own CPU time for the run */
	size_t nchecks;      /* finding ids whose detectors ran */
};

enum format { FORMAT_TEXT, FORMAT_JSON };

int render_json(FILE *out, const struct report *r);
int render_text(FILE *out, const struct report *r, bool color);

/* Strings from the host (comm, cmdlines, paths, device and interface
 * names, hostnames, file contents quoted in messages) may hold any byte.
 *
 * For terminals, every such string goes through sanitize_tty, which makes
 * it unambiguous and inert: "\\" for a backslash, "\xNN" for a byte that
 * is not valid UTF-8 and for C0 controls and DEL, "\uXXXX" (4 hex digits)
 * for the code points codepoint_unsafe() names; any other valid UTF-8
 * ("é", CJK) is kept. sanitize_tty_max keeps at most max bytes of that,
 * cut between two units, never inside an escape or a character.
 *
 * For JSON: sanitize_utf8 turns invalid UTF-8 into U+FFFD; json-c escapes
 * C0 controls, and render_json writes DEL and the unsafe code points as
 * \uXXXX JSON escapes, so a document printed to a terminal paints
 * nothing and still parses to the real value. */
char *sanitize_utf8(const char *s);
char *sanitize_tty(const char *s);
char *sanitize_tty_max(const char *s, size_t max);
/* C1 controls (U+0080..U+009F: U+009B is an 8-bit CSI), the bidi marks,
 * embeddings, overrides and isolates (U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069) and the line and paragraph separators
 * (U+2028, U+2029): they control a terminal or reorder the text around
 * them. */
bool codepoint_unsafe(uint32_t cp);
/* The valid UTF-8 sequence at s: its length (1..4) and code point, or 0
 * when s does not start one (overlong forms and surrogates are invalid). */
size_t utf8_decode(const char *s, uint32_t *ret_cp);

#endif

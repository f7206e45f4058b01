/* Host strings made inert: for a terminal (escapes that cannot be confused
 * with the text around them) and for JSON (valid UTF-8; render_json then
 * writes the unsafe code points as \uXXXX). */
#include "render.h"

size_t utf8_decode(const char *str, uint32_t *ret_cp)
{
	const unsigned char *s = (const unsigned char *)str;
	if (s[0] < 0x80) {
		*ret_cp = s[0];
		return 1;
	}
	size_t n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
		 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	if (n == 0)
		return 0;
	/* A NUL is not a continuation byte: the loop stops at the end. */
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0; /* overlong, surrogate */
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0; /* overlong, above U+10FFFF */
	uint32_t cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	*ret_cp = cp;
	return n;
}

bool codepoint_unsafe(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f)          /* C1 controls: 0x9b is an 8-bit CSI */
	       || cp == 0x061c                      /* ARABIC LETTER MARK */
	       || cp == 0x200e || cp == 0x200f      /* LRM, RLM */
	       || cp == 0x2028 || cp == 0x2029      /* line and paragraph separators */
	       || (cp >= 0x202a && cp <= 0x202e)    /* LRE, RLE, PDF, LRO, RLO */
	       || (cp >= 0x2066 && cp <= 0x2069);   /* LRI, RLI, FSI, PDI */
}

/* One unit of output for the character at s: its escape, or the
 * character itself. Returns the input bytes it consumed. */
static size_t tty_unit(const char *s, char out[16], size_t *ret_len)
{
	uint32_t cp;
	size_t n = utf8_decode(s, &cp);

	if (n == 0) {
		*ret_len = (size_t)snprintf(out, 16, "\\x%02x", (unsigned char)*s);
		return 1;
	}
	if (cp == '\\') {
		*ret_len = (size_t)snprintf(out, 16, "\\\\");
	} else if (cp < 0x20 || cp == 0x7f) {
		*ret_len = (size_t)snprintf(out, 16, "\\x%02x", (unsigned)cp);
	} else if (codepoint_unsafe(cp)) {
		*ret_len = (size_t)snprintf(out, 16, "\\u%04x", (unsigned)cp);
	} else {
		memcpy(out, s, n);
		*ret_len = n;
	}
	return n;
}

char *sanitize_tty_max(const char *in, size_t max)
{
	struct buf b = {0};

	buf_reserve(&b, strlen(in));
	while (*in) {
		char u[16];
		size_t ulen, n = tty_unit(in, u, &ulen);
		if (b.len + ulen > max)
			break;
		buf_append(&b, u, ulen);
		in += n;
	}
	buf_reserve(&b, 0);
	return b.data;
}

char *sanitize_tty(const char *s)
{
	return sanitize_tty_max(s, SIZE_MAX);
}

char *sanitize_utf8(const char *in)
{
	struct buf b = {0};

	buf_reserve(&b, strlen(in));
	while (*in) {
		uint32_t cp;
		size_t n = utf8_decode(in, &cp);
		if (n == 0) {
			buf_append(&b, "\xef\xbf\xbd", 3);
			in++;
		} else {
			buf_append(&b, in, n);
			in += n;
		}
	}
	buf_reserve(&b, 0);
	return b.data;
}

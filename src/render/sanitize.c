#include "render.h"

/* Length of the valid UTF-8 sequence at s, or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
		 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0; /* overlong, surrogate */
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return n;
}

static char *sanitize(const char *in, bool tty)
{
	struct buf b = {0};
	const unsigned char *s = (const unsigned char *)in;

	buf_reserve(&b, strlen(in));
	while (*s) {
		size_t n = utf8_seq(s);
		if (n == 0) {
			if (tty)
				buf_printf(&b, "\\x%02x", *s);
			else
				buf_append(&b, "\xef\xbf\xbd", 3);
			s++;
		} else if (tty && n == 1 && (*s < 0x20 || *s == 0x7f)) {
			buf_printf(&b, "\\x%02x", *s);
			s++;
		} else {
			buf_append(&b, s, n);
			s += n;
		}
	}
	buf_reserve(&b, 0);
	return b.data;
}

char *sanitize_utf8(const char *s) { return sanitize(s, false); }
char *sanitize_tty(const char *s) { return sanitize(s, true); }

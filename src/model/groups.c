#include "groups.h"

const char *tg_name(unsigned group)
{
	switch (group) {
#define TG_CASE(name, bit, str) \
	case TG_##name:         \
		return str;
		TG_LIST(TG_CASE)
#undef TG_CASE
	}
	return NULL;
}

void tg_names(unsigned groups, const char *sep, struct buf *out)
{
	bool first = true;
	for (unsigned bit = 0; bit < 32; bit++)
		if ((groups & (1u << bit)) && tg_name(1u << bit)) {
			buf_printf(out, "%s%s", first ? "" : sep, tg_name(1u << bit));
			first = false;
		}
	buf_reserve(out, 0); /* "" when none */
}

void tg_notes_add(struct tg_notes *n, unsigned group, bool running, const char *fmt, ...)
{
	va_list ap;
	char *reason;

	va_start(ap, fmt);
	if (vasprintf(&reason, fmt, ap) < 0)
		abort();
	va_end(ap);
	ARRAY_GROW(n->v, n->n, n->cap);
	n->v[n->n++] = (struct tg_note){.group = group, .running = running, .reason = reason};
}

void tg_notes_free(struct tg_notes *n)
{
	for (size_t i = 0; i < n->n; i++)
		free(n->v[i].reason);
	free(n->v);
	*n = (struct tg_notes){0};
}

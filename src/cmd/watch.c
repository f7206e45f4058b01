/* kstall watch: trace live. Every --interval: a refreshed view on a
 * terminal (current findings, then the top waits per kind per process),
 * or one plain line when stdout is not a terminal. At the end (--duration,
 * SIGINT or SIGTERM): the report for the whole window, in text or JSON,
 * from the same detectors as check. The run is live.c's; the view is
 * src/render/live.c's. */
#include "live.h"
#include "../render/live.h"

struct view {
	bool tty;   /* a screen redrawn each interval */
	bool lines; /* one line each interval */
};

static void view_interval(void *ctx, struct live *l, bool last)
{
	const struct view *v = ctx;

	if (last)
		return; /* the report follows */
	if (v->tty)
		render_live_screen(stdout, &l->rep, &l->tr);
	else if (v->lines)
		render_live_line(stdout, &l->rep, &l->tr);
	else
		return;
	fflush(stdout);
}

static void view_end(void *ctx)
{
	const struct view *v = ctx;

	if (v->tty)
		render_live_clear(stdout);
}

int cmd_watch(struct check_opts *o)
{
	struct view v = {.tty = isatty(STDOUT_FILENO) && o->format == FORMAT_TEXT};
	v.lines = !v.tty && o->format == FORMAT_TEXT;
	struct live_hooks h = {.ctx = &v, .interval = view_interval, .end = view_end};
	return live_run(o, &h);
}

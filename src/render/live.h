/* watch's live view: what a run has found and traced so far, redrawn
 * every interval. Formatting only, like the other renderers. */
#ifndef KSTALL_RENDER_LIVE_H
#define KSTALL_RENDER_LIVE_H

#include "render.h"

/* The screen on a terminal: clear it, then the current findings, the top
 * waits per kind per process and the processes failing path lookups. */
void render_live_screen(FILE *out, const struct report *rep, const struct traced *t);
/* One plain line, for when stdout is not a terminal. */
void render_live_line(FILE *out, const struct report *rep, const struct traced *t);
/* Clears the screen render_live_screen drew, before the final report. */
void render_live_clear(FILE *out);

#endif

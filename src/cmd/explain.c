/* kstall explain ID: the knowledge-base entry behind a finding. */
#include "cmd.h"
#include "../kb/kb.h"

static void section(const char *head, const char *text)
{
	printf("%s\n", head);
	/* Wrap at 80 columns, indented by 2. */
	const char *p = text;
	int col = 0;
	while (*p) {
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		int wl = (int)(p - w);
		if (col && col + 1 + wl > 78) {
			putchar('\n');
			col = 0;
		}
		printf("%s%.*s", col ? " " : "  ", wl, w);
		col += wl + (col ? 1 : 2);
		while (*p == ' ')
			p++;
	}
	printf("\n\n");
}

int cmd_explain(struct check_opts *o)
{
	if (!o->arg) {
		printf("finding ids (kstall explain ID):\n");
		for (size_t i = 0; i < kb_count(); i++)
			printf("  %-28s %s\n", kb_at(i)->id, kb_at(i)->title);
		return EXIT_RAN;
	}
	const struct kb_entry *e = kb_find(o->arg);
	if (!e) {
		char *id = sanitize_tty(o->arg);
		fprintf(stderr, "kstall: no finding called '%s'; known ids:\n", id);
		free(id);
		for (size_t i = 0; i < kb_count(); i++)
			fprintf(stderr, "  %s\n", kb_at(i)->id);
		return EXIT_USAGE;
	}
	printf("%s: %s\n\n", e->id, e->title);
	section("What the kernel does", e->mechanism);
	section("How it hurts", e->harm);
	section("How to confirm by hand", e->confirm);
	section("How to fix", e->fix);
	section("Seen in", e->seen_in);
	return EXIT_RAN;
}

/* The knowledge base behind `kstall explain ID`. */
#ifndef KSTALL_KB_H
#define KSTALL_KB_H

#include <stddef.h>

struct kb_entry {
	const char *id;
	const char *title;
	const char *mechanism;  /* what the kernel does */
	const char *harm;       /* how it hurts a service */
	const char *confirm;    /* how to confirm by hand */
	const char *fix;        /* how to fix, with costs */
	const char *seen_in;    /* the case behind it */
};

const struct kb_entry *kb_find(const char *id);
extern const struct kb_entry kb_entries[];
extern const size_t kb_nentries;

#endif

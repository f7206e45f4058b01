/* The knowledge base behind `kstall explain ID`: one table per mechanism
 * (src/kb/<mechanism>.c, the finding ids' prefix), listed in src/kb/kb.c. */
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

/* The entries of one mechanism, in the order `kstall explain` lists them. */
struct kb_table {
	const struct kb_entry *v;
	size_t n;
};

extern const struct kb_table kb_dcache, kb_reclaim, kb_vma, kb_irq, kb_writeback, kb_mmap_lock;

const struct kb_entry *kb_find(const char *id);
/* Every entry, mechanism by mechanism: kb_at(i) for i < kb_count(). */
size_t kb_count(void);
const struct kb_entry *kb_at(size_t i);

#endif

/* The knowledge base's registry: the mechanisms' tables, in the order
 * `kstall explain` lists them. The entries are in src/kb/<mechanism>.c. */
#include "kb.h"
#include "../lib/util.h"

static const struct kb_table *const tables[] = {
	&kb_dcache, &kb_reclaim, &kb_vma, &kb_irq, &kb_writeback, &kb_mmap_lock,
};

size_t kb_count(void)
{
	size_t n = 0;
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++)
		n += tables[t]->n;
	return n;
}

const struct kb_entry *kb_at(size_t i)
{
	for (size_t t = 0; t < ARRAY_SIZE(tables); i -= tables[t]->n, t++)
		if (i < tables[t]->n)
			return &tables[t]->v[i];
	return NULL;
}

const struct kb_entry *kb_find(const char *id)
{
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++)
		for (size_t i = 0; i < tables[t]->n; i++)
			if (!strcmp(tables[t]->v[i].id, id))
				return &tables[t]->v[i];
	return NULL;
}

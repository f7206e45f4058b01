/* Reclaim (seed 002): direct and memcg reclaim stalls, slab shrinker
 * calls and kswapd awake, all waits of the shared wait mechanism (their
 * histograms are in `hists`, read by trace.c). Its own part of the
 * reading: a shrinker's scan function, by name. */
#include "mechanism.h"

/* Shrinker scan functions by address, from kallsyms (root sees them). */
static const char *shrinker_name(struct tracer *t, uint64_t addr)
{
	for (size_t i = 0; i < t->nsyms; i++)
		if (t->syms[i].addr == addr)
			return t->syms[i].name;
	struct buf b = {0};
	char name[96] = "";
	if (addr && sysroot_read(t->root, "proc/kallsyms", &b) == 0) {
		for (char *p = b.data; p && *p;) {
			char *nl = strchr(p, '\n');
			unsigned long long a;
			char type, sym[96];
			if (sscanf(p, "%llx %c %95s", &a, &type, sym) == 3 && a == addr) {
				snprintf(name, sizeof(name), "%s", sym);
				break;
			}
			p = nl ? nl + 1 : NULL;
		}
	}
	buf_free(&b);
	if (t->nsyms < 1024) {
		ARRAY_GROW(t->syms, t->nsyms, t->capsyms);
		t->syms[t->nsyms] = (struct sym){.addr = addr};
		snprintf(t->syms[t->nsyms].name, sizeof(t->syms[t->nsyms].name), "%s", name);
		return t->syms[t->nsyms++].name;
	}
	return "";
}

static const char *detail_name(struct tracer *t, unsigned kind, uint64_t detail)
{
	return kind == KS_SHRINKER ? shrinker_name(t, detail) : NULL;
}

const struct tr_mechanism tr_reclaim = {
	.name = "reclaim",
	.groups = (const struct tr_group[]){
		{.group = TG_RECLAIM,
		 .tracepoints = TR_LIST("mm_vmscan_direct_reclaim_begin", "mm_vmscan_direct_reclaim_end"),
		 .progs = TR_LIST("direct_reclaim_begin", "direct_reclaim_end")},
		{.group = TG_MEMCG,
		 .tracepoints = TR_LIST("mm_vmscan_memcg_reclaim_begin", "mm_vmscan_memcg_reclaim_end"),
		 .progs = TR_LIST("memcg_reclaim_begin", "memcg_reclaim_end")},
		{.group = TG_SHRINKER,
		 .tracepoints = TR_LIST("mm_shrink_slab_start", "mm_shrink_slab_end"),
		 .progs = TR_LIST("shrink_slab_start", "shrink_slab_end")},
		{.group = TG_KSWAPD,
		 .tracepoints = TR_LIST("mm_vmscan_kswapd_wake", "mm_vmscan_kswapd_sleep"),
		 .progs = TR_LIST("kswapd_wake", "kswapd_sleep")},
		{0},
	},
	.detail_name = detail_name,
};

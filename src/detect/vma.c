/* Address-space fragmentation and mmap churn (seed 001).
 *
 * From the maps summaries (check, snapshots): processes whose layout makes
 * finding room for a mapping expensive on the running kernel, or whose
 * region count is in the thousands or near vm.max_map_count. From live
 * tracing: processes that map and unmap the same size over and over, the
 * allocation pattern behind the seed. */
#include "detect.h"

/* vma.fragmentation */
/* The count alone is information on any kernel: from 3.8 the search is a
 * tree walk (FIELD-NOTES: 9,000 unmergeable regions cost nothing
 * measurable on 6.18), and what a count costs elsewhere is measured by
 * the findings that see it happen (mmap_lock.fork_stall,
 * vma.map_count_near_limit). A warning needs the pre-3.8 walk. */
#define FRAG_INFO_VMAS 2000
#define LINEAR_WARN_STEPS 100   /* find_vma calls for one mmap, before 3.8 */
#define LINEAR_CRIT_STEPS 1000
#define MIN_SIZE_USES 2         /* a size mapped once is not "a size it uses" */
#define MAX_REPORTED 20
#define MALLOC_SIZED_MIN 100    /* regions of one malloc-like size worth naming */
/* vma.map_count_near_limit */
#define LIMIT_WARN 0.80
#define LIMIT_CRIT 0.95
/* vma.mmap_churn */
#define CHURN_MIN_PAIRS 20
#define CHURN_MIN_PER_S 50.0
#define CHURN_WARN_PER_S 1000.0
#define CHURN_WARN_SHARE 0.05   /* of one CPU, in mmap and munmap alone */
#define CHURN_CRIT_SHARE 0.25
/* Timed calls for the share estimated from them to decide a level: with
 * fewer (the tracer times one in 8), one slow call would count 8 times;
 * the level then follows what the timed calls took alone. */
#define CHURN_TIMED_MIN 100
#define CHURN_SIZES 5
/* A group's pairs per member: starting a program maps and unmaps a region
 * or two (ld.so's cache), which is not churn (a compile here: cc1, 2 per
 * process; sh, basename, 1). */
#define CHURN_GROUP_MIN_PER_PROC 4

static const char *const static_ids[] = {"vma.fragmentation", "vma.map_count_near_limit", NULL};
static const char *const churn_ids[] = {"vma.mmap_churn", NULL};

/* A region's length, as every size is written (fmt_bytes: "516 KiB",
 * "1 MiB", "4100 B", exact), so the evidence reads the same. */
static char *fmt_size(uint64_t b, char *out, size_t n)
{
	return fmt_bytes((double)b, out, n);
}

/* glibc serves a malloc of n bytes at or above its mmap threshold with an
 * mmap of n plus a 16-byte header, page-rounded: 512 KiB becomes 516 KiB.
 * If len looks like that for a power-of-two request, return the request. */
static uint64_t malloc_request(uint64_t len)
{
	if (len < (8 << 10) || len % 4096)
		return 0;
	uint64_t req = len - 4096;
	return (req & (req - 1)) == 0 ? req : 0;
}

/* The size whose searches cost most in all, had each of its regions been
 * placed once more: steps x regions, among sizes it maps repeatedly. */
static const struct vma_size_count *costliest_size(const struct vma_summary *v)
{
	const struct vma_size_count *w = NULL;
	for (size_t k = 0; k < v->ntop; k++) {
		const struct vma_size_count *z = &v->top_sizes[k];
		if (z->count >= MIN_SIZE_USES &&
		    (!w || (double)z->linear_steps * (double)z->count > (double)w->linear_steps * (double)w->count))
			w = z;
	}
	return w;
}

/* The most common size that looks like mmapped mallocs, if common. */
static const struct vma_size_count *malloc_sized(const struct vma_summary *v)
{
	for (size_t k = 0; k < v->ntop; k++)
		if (malloc_request(v->top_sizes[k].size) && v->top_sizes[k].count >= MALLOC_SIZED_MIN)
			return &v->top_sizes[k];
	return NULL;
}

static void layout_evidence(struct finding *f, const struct vma_summary *v, uint64_t limit, bool assumed)
{
	char a[32], b[32];
	struct entries sizes = {.sep = ", "}, holes = {.sep = ", "};

	finding_num(f, "vmas", (double)v->nvmas, U_COUNT, "proc/PID/maps");
	finding_num(f, "max_map_count_share", (double)v->nvmas / (double)limit, U_RATIO,
		    assumed ? "maps; vm.max_map_count not read, kernel default 65530 assumed"
			    : "maps; proc/sys/vm/max_map_count");
	finding_num(f, "mapped_bytes", (double)v->mapped_bytes, U_BYTES, "proc/PID/maps");
	for (size_t k = 0; k < v->ntop && k < 5; k++)
		entries_add(&sizes, "%s x %s", fmt_size(v->top_sizes[k].size, a, sizeof(a)),
			    fmt_count((double)v->top_sizes[k].count, b, sizeof(b)));
	finding_str(f, "region_sizes", entries_end(&sizes), "proc/PID/maps, most common first");
	buf_free(&sizes.b);
	finding_num(f, "holes", (double)v->nholes, U_COUNT, "proc/PID/maps, gaps between regions");
	finding_num(f, "hole_bytes", (double)v->hole_bytes, U_BYTES, "proc/PID/maps");
	finding_num(f, "largest_hole", (double)v->largest_hole, U_BYTES, "proc/PID/maps");
	static const char *const bucket[VMA_HOLE_BUCKETS] = {"<=16 KiB", "<=128 KiB", "<=1 MiB", "<=16 MiB",
							      "<=1 GiB", ">1 GiB"};
	for (size_t k = 0; k < VMA_HOLE_BUCKETS; k++)
		if (v->hole_buckets[k])
			entries_add(&holes, "%s: %s", bucket[k], fmt_count((double)v->hole_buckets[k], a, sizeof(a)));
	finding_str(f, "hole_sizes", holes.shown ? entries_end(&holes) : "none",
		    "proc/PID/maps, not counting the unused middle of the address space");
	buf_free(&holes.b);
	finding_num(f, "unmerged_neighbours", (double)v->unmerged_neighbours, U_COUNT,
		    "proc/PID/maps: touching anonymous regions, same permissions, kept apart");
}

/* A process's layout, and what finding room costs on this kernel. */
struct frag {
	const struct proc_entry *p;
	const char *comm, *rel;        /* its name; the kernel release */
	bool known, linear;            /* kernel version known; pre-3.8 walk */
	const struct vma_size_count *w; /* the size whose searches cost most, NULL none */
	size_t steps;                  /* its linear search steps */
	uint64_t limit;                /* vm.max_map_count */
};

static void frag_summary(struct finding *f, const struct frag *r)
{
	const struct vma_summary *v = r->p->vma;
	char a[32], b[32], c[32], d[32];
	struct buf s = {0};
	buf_printf(&s, "%s (pid %d) has %s memory regions", r->comm, r->p->stat.pid, fmt_count((double)v->nvmas, a, sizeof(a)));
	if (v->ntop)
		buf_printf(&s, ", %s of them %s", fmt_count((double)v->top_sizes[0].count, b, sizeof(b)),
			   fmt_size(v->top_sizes[0].size, a, sizeof(a)));
	buf_printf(&s, ", with %s holes between them (%s of at most 16 KiB) and %s touching anonymous "
		       "neighbours that did not merge.", fmt_count((double)v->nholes, a, sizeof(a)),
		   fmt_count((double)v->hole_buckets[0], b, sizeof(b)), fmt_count((double)v->unmerged_neighbours, c, sizeof(c)));
	if (r->linear) {
		buf_printf(&s, " Kernel %s (before 3.8) finds room for a new mapping by walking down from "
			       "mmap_base one region at a time (find_vma per step)", r->rel);
		if (r->w)
			buf_printf(&s, ": for another %s mapping, a size it maps %s times, that is %s steps, "
				       "against about %s in a gap tree.", fmt_size(r->w->size, a, sizeof(a)),
				   fmt_count((double)r->w->count, b, sizeof(b)), fmt_count((double)r->steps, c, sizeof(c)),
				   fmt_count(v->tree_steps, d, sizeof(d)));
		else
			buf_printf(&s, ".");
		if (r->steps >= LINEAR_WARN_STEPS)
			buf_printf(&s, " Every mmap of that size pays the walk: mapped and unmapped per request "
				       "(the seed: 512 KiB mallocs), it puts find_vma at the top of the profile.");
	} else {
		buf_printf(&s, " %s finds room with a gap-augmented tree (3.8 and later): about %s steps for "
			       "this many regions, so the pre-3.8 find_vma walk does not apply. The count still "
			       "costs: fork copies every region, munmap and mprotect split and rebalance, readers "
			       "of the maps file hold its mmap_lock longer, and at vm.max_map_count (%s) mmap "
			       "fails.", r->known ? "This kernel" : "A kernel of unknown version (assumed 3.8 or later)",
			   fmt_count(v->tree_steps, d, sizeof(d)), fmt_count((double)r->limit, c, sizeof(c)));
		const struct vma_size_count *m = malloc_sized(v);
		if (m)
			buf_printf(&s, " %s regions of %s, the size glibc maps for a %s malloc if that is where "
				       "they come from: if they come and go per request, `kstall watch -p %d` measures "
				       "the churn.", fmt_count((double)m->count, d, sizeof(d)),
				   fmt_size(m->size, a, sizeof(a)), fmt_size(malloc_request(m->size), b, sizeof(b)),
				   r->p->stat.pid);
	}
	finding_summary(f, "%s", s.data);
	buf_free(&s);
}

/* The search model, and its steps per size on a pre-3.8 kernel. */
static void frag_search_evidence(struct finding *f, const struct frag *r)
{
	const struct vma_summary *v = r->p->vma;
	char a[32], b[32];
	finding_str(f, "search_model",
		    r->linear ? "linear top-down walk from mmap_base (kernels before 3.8), worst case, as the seed counted"
			   : "gap-augmented tree (3.8+: rbtree, maple tree from 6.1): ~log2(regions) steps",
		    r->known ? "kernel version" : "kernel version unknown");
	if (r->w && r->linear) {
		finding_num(f, "search_size", (double)r->w->size, U_BYTES, "the size whose searches cost most in all");
		finding_num(f, "linear_search_steps", (double)r->steps, U_COUNT,
			    "model over proc/PID/maps: find_vma calls before a hole fits");
		struct entries steps = {0};
		for (size_t k = 0; k < v->ntop; k++)
			if (v->top_sizes[k].count >= MIN_SIZE_USES && v->top_sizes[k].size >= (64 << 10))
				entries_add(&steps, "%s: %s", fmt_size(v->top_sizes[k].size, a, sizeof(a)),
					    fmt_count((double)v->top_sizes[k].linear_steps, b, sizeof(b)));
		if (steps.shown)
			finding_str(f, "search_steps_by_size", entries_end(&steps),
				    "model: find_vma calls for one more mapping of each size it uses (64 KiB and up)");
		buf_free(&steps.b);
	}
}

/* Cheapest and most fitting first: where regions of a malloc's size are
 * common, the tunable (no code change); else reusing buffers. */
static void frag_remedies(struct finding *f, const struct frag *r)
{
	const char *reuse = "Reuse or pool buffers of the sizes above instead of allocating them per request: "
			    "fewer, longer-lived regions, and a layout that stops changing. It is a change to the "
			    "program.";
	bool mallocs = malloc_sized(r->p->vma) != NULL;
	if (!mallocs)
		finding_remedy(f, "%s", reuse);
	finding_remedy(f, "If they are glibc mallocs at or above the mmap threshold: raise it above their size "
			  "(mallopt(M_MMAP_THRESHOLD, n), or GLIBC_TUNABLES=glibc.malloc.mmap_threshold=n, no code "
			  "change) so they come from the heap. The cost: freed heap memory returns to the kernel later "
			  "(M_TRIM_THRESHOLD), so RSS stays higher.");
	if (mallocs)
		finding_remedy(f, "%s", reuse);
	if (r->linear)
		finding_remedy(f, "Kernels from 3.8 find room in a gap-augmented tree in log(regions) steps: the "
				  "walk itself disappears on a newer kernel (the churn does not).");
	finding_remedy(f, "Fewer small long-lived mappings reduce the count: shrink caches of small mmaps (the "
			  "seed's team shrank a cache first), or cap glibc's per-thread arenas (MALLOC_ARENA_MAX, "
			  "at the cost of threads contending for the arenas' locks).");
}

static void fragmentation(const struct inputs *in, const struct proc_entry *p, uint64_t limit, bool assumed,
			  struct findings *out)
{
	const struct vma_summary *v = p->vma;
	struct frag r = {.p = p, .comm = p->stat.comm, .known = in->host.has_kver, .limit = limit};
	enum severity sev;
	char a[32], b[32], c[32];

	r.linear = r.known && vma_linear_search(&in->host.kver);
	r.rel = r.known ? in->host.kver.release : "unknown";
	r.w = costliest_size(v);
	r.steps = r.w ? r.w->linear_steps : 0;
	if (r.linear && r.steps >= LINEAR_CRIT_STEPS)
		sev = SEV_CRITICAL;
	else if (r.linear && r.steps >= LINEAR_WARN_STEPS)
		sev = SEV_WARNING;
	else if (v->nvmas >= FRAG_INFO_VMAS)
		sev = SEV_INFO;
	else
		return;

	struct finding *f = findings_add(out, "vma.fragmentation", sev);
	if (r.linear && r.steps >= LINEAR_WARN_STEPS)
		finding_title(f, "%s (pid %d): %s memory regions; finding room for a %s mapping walks %s of them",
			      r.comm, p->stat.pid, fmt_count((double)v->nvmas, a, sizeof(a)),
			      fmt_size(r.w->size, b, sizeof(b)), fmt_count((double)r.steps, c, sizeof(c)));
	else
		finding_title(f, "%s (pid %d) has %s memory regions (%s of vm.max_map_count)", r.comm, p->stat.pid,
			      fmt_count((double)v->nvmas, a, sizeof(a)), fmt_pct((double)v->nvmas / (double)limit, b, sizeof(b)));
	frag_summary(f, &r);
	layout_evidence(f, v, limit, assumed);
	frag_search_evidence(f, &r);
	finding_num(f, "tree_search_steps", v->tree_steps, U_COUNT, "model: log2(regions)");
	finding_process(f, p->stat.pid, r.comm, "fragmented");
	frag_remedies(f, &r);
	finding_ref(f, "kstall explain vma.fragmentation");
}

static void near_limit(const struct proc_entry *p, uint64_t limit, bool assumed, struct findings *out)
{
	const struct vma_summary *v = p->vma;
	double share = (double)v->nvmas / (double)limit;
	char a[32], b[32], c[32], d[32];

	if (share <= LIMIT_WARN)
		return;
	/* Critical needs the host's own limit: an assumed one may be lower. */
	struct finding *f = findings_add(out, "vma.map_count_near_limit",
					 share >= LIMIT_CRIT && !assumed ? SEV_CRITICAL : SEV_WARNING);
	finding_title(f, "%s (pid %d) has %s memory regions, %s of vm.max_map_count (%s)", p->stat.comm,
		      p->stat.pid, fmt_count((double)v->nvmas, c, sizeof(c)), fmt_pct(share, a, sizeof(a)),
		      fmt_count((double)limit, d, sizeof(d)));
	finding_summary(f, "%s (pid %d) has %s memory regions; the kernel allows %s%s. At the limit every "
			   "mmap, and every mprotect or munmap that would split a region, fails with ENOMEM: "
			   "malloc returns NULL, threads cannot be created, runtimes abort (\"mmap failed\", "
			   "\"unable to create native thread\"). Most common size: %s.",
			p->stat.comm, p->stat.pid, c, d,
			assumed ? " (kernel default; vm.max_map_count was not read)" : " (vm.max_map_count)",
			v->ntop ? fmt_size(v->top_sizes[0].size, b, sizeof(b)) : "none");
	if (assumed && share >= LIMIT_CRIT) {
		_cleanup_free_ char *first = xstrdup(f->summary);
		finding_summary(f, "%s The host's own vm.max_map_count was not read (proc/sys/vm/max_map_count), and "
				   "distributions raise it: critical needs it, so this is at most a warning.", first);
	}
	layout_evidence(f, v, limit, assumed);
	finding_num(f, "max_map_count", (double)limit, U_COUNT,
		    assumed ? "kernel default (not read)" : "proc/sys/vm/max_map_count");
	finding_process(f, p->stat.pid, p->stat.comm, "at risk");
	/* At the limit the next mmap fails: the sysctl is immediate and
	 * cheap, so it comes first, as the stopgap it is. */
	finding_remedy(f, "Now, as a stopgap: raise the limit, sysctl vm.max_map_count=262144 (databases and "
			  "search engines ship with this). The cost: each region costs the kernel about 200 bytes, "
			  "and a process that grows its regions without bound only fails later.");
	finding_remedy(f, "Then find what creates the regions (the sizes above) and pool or merge them; see "
			  "vma.fragmentation and, live, vma.mmap_churn.");
	finding_ref(f, "kstall explain vma.map_count_near_limit");
	finding_ref(f, "Documentation/admin-guide/sysctl/vm.rst (max_map_count)");
}

static int cmp_vmas_desc(const void *a, const void *b)
{
	const struct proc_entry *x = *(const struct proc_entry *const *)a, *y = *(const struct proc_entry *const *)b;
	if (x->vma->nvmas != y->vma->nvmas)
		return x->vma->nvmas > y->vma->nvmas ? -1 : 1;
	return x->stat.pid - y->stat.pid;
}

static int run_static(const struct inputs *in, struct findings *out, struct skips *skips)
{
	const struct sample *s = &in->cur;
	uint64_t limit;
	bool assumed;
	size_t n = 0, nmaps;

	const struct proc_entry **v = xcalloc(s->nprocs + 1, sizeof(*v));
	/* Most regions first: if more than MAX_REPORTED qualify, the
	 * largest are the ones reported. */
	for (size_t i = 0; i < s->nprocs; i++) {
		if (!s->procs[i].vma || !inputs_pid_selected(in, s->procs[i].stat.pid))
			continue;
		v[n++] = &s->procs[i];
	}
	nmaps = n;
	if (!nmaps) {
		free(v);
		for (const char *const *id = static_ids; *id; id++)
			skips_add(skips, *id, "no proc/PID/maps was read%s", in->live ? " in this sample (watch reads "
				  "every process's maps every 30 s and at the end)" : " (the tree holds none)");
		return DETECT_SKIPPED;
	}
	limit = in->view.max_map_count;
	assumed = in->view.max_map_count_assumed;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_vmas_desc);
	size_t before = out->n;
	for (size_t i = 0; i < n && out->n - before < MAX_REPORTED; i++) {
		fragmentation(in, v[i], limit, assumed, out);
		near_limit(v[i], limit, assumed, out);
	}
	free(v);
	return DETECT_RAN;
}

const struct detector detector_vma = {
	.name = "vma",
	.ids = static_ids,
	.needs = NEED_NONE,
	.run = run_static,
	.proc_files = (const struct detector_proc_file[]){{"vma.fragmentation", "maps"},
							  {"vma.map_count_near_limit", "maps"}, {0}},
};

/* ---- live: mmap churn ---- */

struct churn_size {
	uint64_t len;
	uint64_t mmaps, munmaps, anon;
};

/* One process's calls, or those of several processes of one command
 * rated together (short-lived ones: a CGI, a shell loop's commands). */
struct churn {
	uint32_t tgid;        /* the process; for a group, its busiest member */
	char comm[16];
	unsigned nprocs;      /* processes in it: 1 for one process */
	unsigned ngone;       /* of them, not in the later sample */
	int ppid;             /* the parent of those in the sample: 0 none there, -1 not one */
	uint64_t mmaps, munmaps, failed, searches, search_failed, anon;
	uint64_t time_ns, mmap_ns, munmap_ns, max_ns; /* estimated from the timed calls (churn_total) */
	uint64_t mmap_timed_ns, munmap_timed_ns;      /* the timed calls' time */
	uint64_t mmap_untimed, munmap_untimed;        /* calls counted, not timed */
	uint64_t comm_count; /* calls of the histogram comm was taken from */
	uint64_t pairs;      /* mapped and unmapped again at one length, all lengths */
	bool done;           /* reported, or counted in a group */
	struct churn_size *sizes;
	size_t nsizes, capsizes;
};

static struct churn_size *churn_size(struct churn *c, uint64_t len)
{
	for (size_t i = 0; i < c->nsizes; i++)
		if (c->sizes[i].len == len)
			return &c->sizes[i];
	ARRAY_GROW(c->sizes, c->nsizes, c->capsizes);
	c->sizes[c->nsizes] = (struct churn_size){.len = len};
	return &c->sizes[c->nsizes++];
}

static uint64_t pairs(const struct churn_size *z)
{
	return z->mmaps < z->munmaps ? z->mmaps : z->munmaps;
}

static int cmp_pairs_desc(const void *a, const void *b)
{
	const struct churn_size *x = a, *y = b;
	uint64_t px = pairs(x), py = pairs(y);
	if (px != py)
		return px > py ? -1 : 1;
	uint64_t tx = x->mmaps + x->munmaps, ty = y->mmaps + y->munmaps;
	return tx > ty ? -1 : tx < ty;
}

static void churn_add(struct churn *c, const struct tr_hist *h)
{
	if (h->kind == TR_UNMAPPED_AREA) { /* per process, not per length */
		c->searches += h->count;
		c->search_failed += h->extra1;
		return;
	}
	/* The name from its busiest mmap or munmap histogram: a process that
	 * exec'd (taskset, a shell) has early ones under its old name, and
	 * its one searches entry was named when it was created. */
	if (h->count > c->comm_count) {
		c->comm_count = h->count;
		snprintf(c->comm, sizeof(c->comm), "%s", h->comm);
	}
	struct churn_size *z = churn_size(c, h->detail);
	if (h->kind == TR_MMAP) {
		c->mmaps += h->count;
		c->anon += h->extra2;
		c->mmap_timed_ns += h->sum_ns;
		c->mmap_untimed += h->untimed;
		z->mmaps += h->count;
		z->anon += h->extra2;
	} else {
		c->munmaps += h->count;
		c->munmap_timed_ns += h->sum_ns;
		c->munmap_untimed += h->untimed;
		z->munmaps += h->count;
	}
	c->failed += h->extra1;
	if (h->max_ns > c->max_ns)
		c->max_ns = h->max_ns;
}

/* Its time in the two calls, estimated from the timed ones; its sizes most
 * paired first, and its pairs over all of them. */
static void churn_total(struct churn *c)
{
	c->mmap_ns = (uint64_t)tr_scaled_ns(c->mmap_timed_ns, c->mmaps, c->mmap_untimed);
	c->munmap_ns = (uint64_t)tr_scaled_ns(c->munmap_timed_ns, c->munmaps, c->munmap_untimed);
	c->time_ns = c->mmap_ns + c->munmap_ns;
	if (c->nsizes > 1)
		qsort(c->sizes, c->nsizes, sizeof(*c->sizes), cmp_pairs_desc);
	c->pairs = 0;
	for (size_t i = 0; i < c->nsizes; i++)
		c->pairs += pairs(&c->sizes[i]);
}

/* Churn worth reporting: the process's (or group's) pairs as a whole,
 * whatever their sizes. */
static bool churn_qualifies(const struct churn *c, double dur)
{
	return c->pairs >= CHURN_MIN_PAIRS && (double)c->pairs / dur >= CHURN_MIN_PER_S;
}

/* Why a process's maps are not in the sample. */
static void maps_why(const struct inputs *in, int pid, char *out, size_t n)
{
	char path[64];
	snprintf(path, sizeof(path), "proc/%d/maps", pid);
	for (size_t i = 0; i < in->nunreadable; i++)
		if (in->unreadable[i].pid == pid && !strcmp(in->unreadable[i].file, "maps")) {
			snprintf(out, n, "%s: %s", path, in->unreadable[i].reason);
			return;
		}
	for (size_t i = 0; i < in->nerrors; i++)
		if (!strcmp(in->errors[i].file, path)) {
			snprintf(out, n, "%s: malformed at line %u: %s", path, in->errors[i].line, in->errors[i].msg);
			return;
		}
	snprintf(out, n, "%s was not read in the last sample", path);
}

/* The process's (or group's) churn, its most paired size, and what it
 * costs. */
struct churned {
	const struct churn_size *top;
	uint64_t np;           /* pairs of that size */
	uint64_t maxlen;       /* the largest length mapped and unmapped again */
	size_t npaired;        /* lengths mapped and unmapped again */
	double dur, rate, share, pair_s;
	double level_share;    /* the share the level follows: share, or with few timed calls theirs alone */
	bool sampled;          /* not every call was timed */
	uint64_t timed;        /* the calls timed */
	double top_rate;       /* pairs/s of the top size */
	const struct proc_entry *pe; /* one process, in the later sample; NULL if gone or a group */
	const char *comm;
	bool linear;           /* the pre-3.8 walk */
	const struct vma_size_count *w;
	char mwhy[160];        /* why its maps are unknown; "" if not */
	char who[96];          /* "server (pid 77)", "200 processes named cgi" */
	enum severity sev;
};

/* malloc's size of the top length, if it looks like one (anonymous) and
 * most pairs are of it: among many sizes, one of that shape is chance. */
static uint64_t churn_malloc(const struct churn *c, const struct churned *k)
{
	return k->top->anon && 2 * k->np >= c->pairs ? malloc_request(k->top->len) : 0;
}

static void churn_title(struct finding *f, const struct churn *c, const struct churned *k)
{
	char who[64], a[32], b[32], d[32], e[32], g[32];
	uint64_t req = churn_malloc(c, k);
	if (c->nprocs > 1)
		snprintf(who, sizeof(who), "%s (%s processes) map and unmap", k->comm,
			 fmt_count(c->nprocs, g, sizeof(g)));
	else
		snprintf(who, sizeof(who), "%s (pid %u) maps and unmaps", k->comm, c->tgid);
	fmt_rate(k->rate, b, sizeof(b));
	fmt_size(k->top->len, a, sizeof(a));
	if (100 * k->np >= 99 * c->pairs)
		finding_title(f, "%s %s regions %s times/s%s%s%s", who, a, b, req ? " (the size glibc maps for a " : "",
			      req ? fmt_size(req, d, sizeof(d)) : "", req ? " malloc)" : "");
	else if (2 * k->np >= c->pairs)
		finding_title(f, "%s regions %s times/s, %s of them %s", who, b,
			      fmt_pct((double)k->np / (double)c->pairs, e, sizeof(e)), a);
	else
		finding_title(f, "%s regions %s times/s in %s sizes (the commonest, %s, %s of them)", who, b,
			      fmt_count((double)k->npaired, g, sizeof(g)), a,
			      fmt_pct((double)k->np / (double)c->pairs, e, sizeof(e)));
}

/* Who made the calls: one process, or many of one command. */
static void churn_who(struct buf *s, const struct churn *c, const struct churned *k)
{
	char a[32], b[32];
	if (c->nprocs == 1) {
		buf_printf(s, "%s (pid %u)", k->comm, c->tgid);
		return;
	}
	buf_printf(s, "%s processes named %s, each below the threshold alone (%s gone before the last "
		       "sample; pid %u made the most calls)", fmt_count(c->nprocs, a, sizeof(a)), k->comm,
		   fmt_count(c->ngone, b, sizeof(b)), c->tgid);
}

/* The sizes: one, or the commonest of many. */
static void churn_sizes_said(struct buf *s, const struct churn *c, const struct churned *k)
{
	char a[32], b[32], d[32];
	if (k->np == c->pairs) {
		buf_printf(s, ", all of them %s.", fmt_size(k->top->len, a, sizeof(a)));
		return;
	}
	if (100 * k->np >= 99 * c->pairs) {
		buf_printf(s, ", all but %s of them %s.", fmt_count((double)(c->pairs - k->np), d, sizeof(d)),
			   fmt_size(k->top->len, a, sizeof(a)));
		return;
	}
	buf_printf(s, ", in %s sizes; the commonest:", fmt_count((double)k->npaired, d, sizeof(d)));
	for (size_t j = 0; j < c->nsizes && j < 3 && pairs(&c->sizes[j]); j++)
		buf_printf(s, "%s %s (%s)", j ? "," : "", fmt_size(c->sizes[j].len, a, sizeof(a)),
			   fmt_pct((double)pairs(&c->sizes[j]) / (double)c->pairs, b, sizeof(b)));
	buf_printf(s, ".");
}

static void churn_layout(const struct inputs *in, struct buf *s, const struct churned *k)
{
	char a[32], h[32];
	if (k->pe && k->pe->stat.num_threads > 1)
		buf_printf(s, " It has %s threads: each munmap also flushes the TLB of the CPUs running the others "
			       "(IPIs), a cost outside its own time.", fmt_count((double)k->pe->stat.num_threads, a, sizeof(a)));
	if (k->pe && k->pe->vma) {
		buf_printf(s, " It has %s regions", fmt_count((double)k->pe->vma->nvmas, a, sizeof(a)));
		if (k->linear && k->w)
			buf_printf(s, ", and on this kernel (before 3.8) each mmap walks about %s of them to find room.",
				   fmt_count((double)k->w->linear_steps, h, sizeof(h)));
		else if (in->host.has_kver)
			buf_printf(s, "; this kernel finds room in a tree (about %s steps), so the cost is the churn "
				       "itself, not the search.", fmt_count(k->pe->vma->tree_steps, h, sizeof(h)));
		else
			buf_printf(s, "; the kernel's version is unknown, so whether each mmap walks them (before 3.8) "
				       "is too.");
	} else if (k->mwhy[0] && k->linear && k->sev < SEV_CRITICAL) {
		buf_printf(s, " Its layout is unknown (%s): on this kernel (before 3.8) a fragmented layout makes it "
			       "critical, so this is at most a %s.", k->mwhy, severity_name(k->sev));
	}
}

static void churn_summary(const struct inputs *in, struct finding *f, const struct churn *c, const struct churned *k)
{
	char a[32], b[32], d[32], e[32], g[32], mm[32], u[32];
	uint64_t req = churn_malloc(c, k);
	struct buf s = {0};
	buf_printf(&s, "In %s ", fmt_duration(k->dur, g, sizeof(g)));
	churn_who(&s, c, k);
	buf_printf(&s, " made %s mmap and %s munmap calls; %s regions were mapped and unmapped again at the "
		       "same length (%s pairs/s)",
		   fmt_count((double)c->mmaps, mm, sizeof(mm)), fmt_count((double)c->munmaps, u, sizeof(u)),
		   fmt_count((double)c->pairs, d, sizeof(d)), fmt_rate(k->rate, b, sizeof(b)));
	churn_sizes_said(&s, c, k);
	/* The call site is not traced: that these are mallocs is a guess
	 * from the size, and said as one. */
	if (req)
		buf_printf(&s, " If these come from malloc, %s is what glibc maps for a %s malloc (its size, a "
			       "16-byte header, page-rounded): a buffer allocated and freed per operation above the "
			       "mmap threshold. A program calling mmap itself makes the same calls.",
			   fmt_size(k->top->len, a, sizeof(a)), fmt_size(req, d, sizeof(d)));
	buf_printf(&s, " The two syscalls alone took %s (%s of a CPU, %s per pair on average); each new region "
		       "also faults its pages in again, which this does not count.",
		   fmt_duration((double)c->time_ns / 1e9, a, sizeof(a)), fmt_pct(k->share, b, sizeof(b)),
		   fmt_duration(k->pair_s, e, sizeof(e)));
	churn_layout(in, &s, k);
	finding_summary(f, "%s", s.data);
	buf_free(&s);
}

static void churn_evidence(const struct traced *t, struct finding *f, const struct churn *c, const struct churned *k)
{
	char a[32];
	finding_num(f, "mmap_rate", (double)c->mmaps / k->dur, U_PER_S, "syscalls:sys_enter_mmap (BPF)");
	finding_num(f, "munmap_rate", (double)c->munmaps / k->dur, U_PER_S, "syscalls:sys_enter_munmap (BPF)");
	finding_num(f, "pairs", (double)c->pairs, U_COUNT, "min(mmap, munmap) calls of each length, all lengths");
	finding_num(f, "pair_rate", k->rate, U_PER_S, "mmap/munmap (BPF), all lengths");
	finding_num(f, "sizes_paired", (double)k->npaired, U_COUNT, "lengths both mapped and unmapped");
	finding_num(f, "pattern_size", (double)k->top->len, U_BYTES, "the most paired length, page-rounded");
	finding_num(f, "pattern_pairs", (double)k->np, U_COUNT, "min(mmap, munmap) calls of that length");
	finding_num(f, "pattern_rate", k->top_rate, U_PER_S, "mmap/munmap (BPF), that length");
	if (c->nprocs > 1)
		finding_num(f, "processes", c->nprocs, U_COUNT, "processes of this command, rated together");
	finding_num(f, "syscall_time", (double)c->time_ns / 1e9, U_SECONDS,
		    k->sampled ? "time inside mmap and munmap (BPF), from the timed calls" : "time inside mmap and munmap (BPF)");
	if (k->sampled)
		finding_num(f, "calls_timed", (double)k->timed, U_COUNT,
			    "mmap and munmap calls timed (one in 8 per CPU; the rest counted)");
	finding_num(f, "syscall_cpu_share", k->share, U_RATIO, "time inside mmap and munmap / window");
	if (c->mmaps)
		finding_num(f, "mmap_mean", (double)c->mmap_ns / 1e9 / (double)c->mmaps, U_SECONDS, "BPF");
	if (c->munmaps)
		finding_num(f, "munmap_mean", (double)c->munmap_ns / 1e9 / (double)c->munmaps, U_SECONDS, "BPF");
	finding_num(f, "slowest_call", (double)c->max_ns / 1e9, U_SECONDS, k->sampled ? "the timed calls (BPF)" : "BPF");
	finding_num(f, "anonymous_share", c->mmaps ? (double)c->anon / (double)c->mmaps : 0, U_RATIO,
		    "mmap flags & MAP_ANONYMOUS (BPF)");
	if (c->failed)
		finding_num(f, "failed_calls", (double)c->failed, U_COUNT, "mmap/munmap returning an error (BPF)");
	/* Whole entries, the first CHURN_SIZES, and how many more. */
	struct entries sizes = {.max_n = CHURN_SIZES, .max_len = 400};
	char b[32], d[32];
	for (size_t j = 0; j < c->nsizes; j++)
		entries_add(&sizes, "%s: %s mmap / %s munmap", fmt_size(c->sizes[j].len, a, sizeof(a)),
			    fmt_count((double)c->sizes[j].mmaps, b, sizeof(b)), fmt_count((double)c->sizes[j].munmaps, d, sizeof(d)));
	finding_str(f, "sizes", entries_end(&sizes), "mmap/munmap lengths, most paired first (BPF)");
	buf_free(&sizes.b);
	if (t->groups & TG_VMA_SEARCH) {
		finding_num(f, "unmapped_area_searches", (double)c->searches / k->dur, U_PER_S, "mmap:vm_unmapped_area (BPF)");
		if (c->search_failed)
			finding_num(f, "unmapped_area_failures", (double)c->search_failed, U_COUNT,
				    "mmap:vm_unmapped_area, no room (BPF)");
	} else {
		finding_str(f, "unmapped_area_searches", "not traced: this kernel has no mmap:vm_unmapped_area tracepoint",
			    "BPF");
	}
	if (k->pe && k->pe->vma)
		finding_num(f, "vmas", (double)k->pe->vma->nvmas, U_COUNT, "proc/PID/maps");
	else if (k->mwhy[0])
		finding_unknown(f, "vmas", U_COUNT, "proc/PID/maps", "%s", k->mwhy);
}

/* glibc caps the mmap threshold at 32 MiB on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX). */
#define GLIBC_MMAP_THRESHOLD_MAX (32ULL << 20)

/* Cheapest and most fitting first: for sizes that look like mallocs the
 * tunable (no code change) comes first, else reusing the buffer. */
static void churn_remedies(const struct inputs *in, struct finding *f, const struct churn *c, const struct churned *k)
{
	char a[32], b[64];
	const char *reuse = "Reuse the buffer (allocate once per thread or connection), or pool buffers of these "
			    "sizes: measured here, reuse is two orders of magnitude cheaper than map, fault and unmap. "
			    "It is a change to the program.";
	finding_process(f, (int)c->tgid, k->comm, "churner");
	if (c->nprocs > 1 && c->ppid > 0) {
		const struct proc_entry *pp = sample_proc(&in->cur, c->ppid);
		finding_process(f, c->ppid, pp ? pp->stat.comm : "unknown", "parent of the churners");
	}
	if (!churn_malloc(c, k))
		finding_remedy(f, "%s", reuse);
	if (c->anon) {
		snprintf(b, sizeof(b), " glibc caps the threshold at 32 MiB: sizes above it stay mmapped.");
		finding_remedy(f, "If these are glibc mallocs: raise the mmap threshold above %s, the largest of "
				  "them (mallopt(M_MMAP_THRESHOLD, %" PRIu64 ") or GLIBC_TUNABLES=glibc.malloc.mmap_threshold=%"
				  PRIu64 ", no code change), so they come from the heap.%s glibc raises the threshold by "
				  "itself after the first free unless a program or the environment fixed it "
				  "(M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_MAX), so steady churn means it "
				  "was fixed, or the size is above 32 MiB, or the program calls mmap itself. The cost: the "
				  "heap keeps freed memory (RSS higher until M_TRIM_THRESHOLD trims it) and can fragment.",
			       fmt_size(k->maxlen, a, sizeof(a)), k->maxlen, k->maxlen,
			       k->maxlen > GLIBC_MMAP_THRESHOLD_MAX ? b : "");
	}
	if (churn_malloc(c, k))
		finding_remedy(f, "%s", reuse);
	finding_ref(f, "kstall explain vma.mmap_churn");
	finding_ref(f, "mallopt(3): M_MMAP_THRESHOLD; tunables(7): glibc.malloc.mmap_threshold");
}

/* Its figures over the window, and the severity they make. */
static void churn_measure(const struct inputs *in, const struct churn *c, struct churned *k)
{
	k->top = &c->sizes[0];
	k->np = pairs(k->top);
	/* the largest size that recurs: the mmap threshold must clear it */
	for (size_t i = 0; i < c->nsizes && pairs(&c->sizes[i]); i++) {
		k->npaired++;
		if (c->sizes[i].len > k->maxlen && (pairs(&c->sizes[i]) >= 2 || !k->maxlen))
			k->maxlen = c->sizes[i].len;
	}
	k->rate = (double)c->pairs / k->dur, k->top_rate = (double)k->np / k->dur;
	k->share = (double)c->time_ns / 1e9 / k->dur;
	uint64_t untimed = c->mmap_untimed + c->munmap_untimed;
	k->sampled = untimed > 0;
	k->timed = tr_timed(c->mmaps + c->munmaps, untimed);
	k->level_share = k->sampled && k->timed < CHURN_TIMED_MIN
				 ? (double)(c->mmap_timed_ns + c->munmap_timed_ns) / 1e9 / k->dur
				 : k->share;
	/* one process's layout; a group's members each have their own */
	k->pe = c->nprocs == 1 ? sample_proc(&in->cur, (int)c->tgid) : NULL;
	k->comm = k->pe ? k->pe->stat.comm : c->comm;
	k->linear = in->host.has_kver && vma_linear_search(&in->host.kver);
	k->w = k->pe && k->pe->vma ? costliest_size(k->pe->vma) : NULL;
	k->pair_s = (c->mmaps ? (double)c->mmap_ns / (double)c->mmaps : 0) +
		    (c->munmaps ? (double)c->munmap_ns / (double)c->munmaps : 0);
	k->pair_s /= 1e9;
	k->sev = SEV_INFO;
	if (k->rate >= CHURN_WARN_PER_S || k->level_share >= CHURN_WARN_SHARE)
		k->sev = SEV_WARNING;
	if (k->level_share >= CHURN_CRIT_SHARE || (k->linear && k->w && k->w->linear_steps >= LINEAR_CRIT_STEPS))
		k->sev = SEV_CRITICAL;
	if (k->pe && !k->pe->vma)
		maps_why(in, (int)c->tgid, k->mwhy, sizeof(k->mwhy));
}

static void churn_finding(const struct inputs *in, const struct churn *c, struct findings *out)
{
	const struct traced *t = in->traced;
	struct churned k = {.dur = t->duration_s};

	churn_measure(in, c, &k);
	struct finding *f = findings_add(out, "vma.mmap_churn", k.sev);
	churn_title(f, c, &k);
	churn_summary(in, f, c, &k);
	churn_evidence(t, f, c, &k);
	churn_remedies(in, f, c, &k);
}

static int cmp_time_desc(const void *a, const void *b)
{
	const struct churn *x = a, *y = b;
	return x->time_ns > y->time_ns ? -1 : x->time_ns < y->time_ns;
}

/* Member m into group g: its counts and sizes, and its parent. */
static void churn_merge(const struct inputs *in, struct churn *g, const struct churn *m)
{
	g->nprocs++;
	g->mmaps += m->mmaps, g->munmaps += m->munmaps, g->failed += m->failed, g->anon += m->anon;
	g->searches += m->searches, g->search_failed += m->search_failed;
	g->mmap_timed_ns += m->mmap_timed_ns, g->munmap_timed_ns += m->munmap_timed_ns;
	g->mmap_untimed += m->mmap_untimed, g->munmap_untimed += m->munmap_untimed;
	if (m->max_ns > g->max_ns)
		g->max_ns = m->max_ns;
	for (size_t i = 0; i < m->nsizes; i++) {
		struct churn_size *z = churn_size(g, m->sizes[i].len);
		z->mmaps += m->sizes[i].mmaps, z->munmaps += m->sizes[i].munmaps, z->anon += m->sizes[i].anon;
	}
	const struct proc_entry *pe = sample_proc(&in->cur, (int)m->tgid);
	if (!pe)
		g->ngone++;
	else if (!g->ppid)
		g->ppid = pe->stat.ppid;
	else if (g->ppid != pe->stat.ppid)
		g->ppid = -1;
}

/* The processes of cs[i]'s command not reported alone, rated together
 * (cs is busiest first, so cs[i] leads). */
static bool churn_group(const struct inputs *in, struct churn *cs, size_t n, size_t i, struct findings *out)
{
	struct churn g = {.tgid = cs[i].tgid};
	bool found = false;
	snprintf(g.comm, sizeof(g.comm), "%s", cs[i].comm);
	for (size_t j = i; j < n; j++)
		if (!cs[j].done && !strcmp(cs[j].comm, g.comm)) {
			churn_merge(in, &g, &cs[j]);
			cs[j].done = true;
		}
	churn_total(&g);
	if (g.nprocs > 1 && g.nsizes && g.pairs >= CHURN_GROUP_MIN_PER_PROC * (uint64_t)g.nprocs &&
	    churn_qualifies(&g, in->traced->duration_s)) {
		churn_finding(in, &g, out);
		found = true;
	}
	free(g.sizes);
	return found;
}

static int run_churn(const struct inputs *in, struct findings *out, struct skips *skips)
{
	const struct traced *t = in->traced;
	struct churn *cs = NULL;
	size_t n = 0, cap = 0, reported = 0;

	if (!(t->groups & TG_VMA))
		return DETECT_SKIPPED; /* the tracer said why */
	if (t->duration_s <= 0) {
		skips_add(skips, churn_ids[0], "tracing window too short");
		return DETECT_SKIPPED;
	}
	for (size_t i = 0; i < t->nhists; i++) {
		const struct tr_hist *h = &t->hists[i];
		if (!tr_kind_is_vmop(h->kind))
			continue;
		struct churn *c = NULL;
		for (size_t j = 0; j < n && !c; j++)
			if (cs[j].tgid == h->tgid)
				c = &cs[j];
		if (!c) {
			ARRAY_GROW(cs, n, cap);
			c = &cs[n++];
			*c = (struct churn){.tgid = h->tgid, .nprocs = 1};
		}
		churn_add(c, h);
	}
	for (size_t i = 0; i < n; i++)
		churn_total(&cs[i]);
	if (n > 1)
		qsort(cs, n, sizeof(*cs), cmp_time_desc);
	/* Each process that churns on its own; then the rest by command. */
	for (size_t i = 0; i < n && reported < MAX_REPORTED; i++)
		if (cs[i].nsizes && churn_qualifies(&cs[i], t->duration_s)) {
			churn_finding(in, &cs[i], out);
			cs[i].done = true;
			reported++;
		}
	for (size_t i = 0; i < n && reported < MAX_REPORTED; i++)
		if (!cs[i].done)
			reported += churn_group(in, cs, n, i, out);
	for (size_t i = 0; i < n; i++)
		free(cs[i].sizes);
	free(cs);
	return DETECT_RAN;
}

const struct detector detector_mmap_churn = {
	.name = "mmap_churn",
	.ids = churn_ids,
	.needs = NEED_BPF,
	.run = run_churn,
	/* TG_VMA_SEARCH is optional: without it the finding says searches were not traced. */
	.traces = (const struct detector_trace[]){{"vma.mmap_churn", .groups_all = TG_VMA}, {0}},
};

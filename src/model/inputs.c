/* Pure queries over struct inputs: what detectors, the view and the
 * renderers ask of what was read. No file access. */
#include "inputs.h"

const char *const psi_names[4] = {"cpu", "memory", "io", "irq"};

bool inputs_pid_selected(const struct inputs *in, int pid)
{
	if (!in->npids)
		return true;
	for (size_t i = 0; i < in->npids; i++)
		if (in->pids[i] == pid)
			return true;
	return false;
}

/* The mounts a bdi backs: the same device number (FUSE, NFS, tmpfs-like
 * 0:N devices), else a partition of the bdi's disk (the greatest bdi minor
 * of that major at or below the mount's: sda is 8:0, sda1 8:1). */
static bool bdi_dev(const char *name, unsigned *maj, unsigned *min)
{
	char tail;
	return sscanf(name, "%u:%u%c", maj, min, &tail) == 2;
}

const struct bdi *host_bdi_of_mount(const struct host *h, const struct mount *m)
{
	const struct bdi *best = NULL;
	unsigned bmaj, bmin, best_min = 0;
	for (size_t i = 0; i < h->nbdis; i++) {
		if (!bdi_dev(h->bdis[i].name, &bmaj, &bmin) || bmaj != m->major)
			continue;
		if (bmin == m->minor)
			return &h->bdis[i];
		if (m->major != 0 && bmin < m->minor && (!best || bmin > best_min))
			best = &h->bdis[i], best_min = bmin;
	}
	return best;
}

/* The first mount of bdi b (NULL if none), and how many there are. */
const struct mount *host_mount_of_bdi(const struct host *h, const struct bdi *b, unsigned *n)
{
	const struct mount *first = NULL;
	*n = 0;
	for (size_t i = 0; i < h->mounts.n; i++)
		if (host_bdi_of_mount(h, &h->mounts.v[i]) == b) {
			if (!first)
				first = &h->mounts.v[i];
			(*n)++;
		}
	return first;
}

const struct proc_entry *sample_proc(const struct sample *s, int pid)
{
	size_t lo = 0, hi = s->nprocs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->procs[mid].stat.pid < pid)
			lo = mid + 1;
		else if (s->procs[mid].stat.pid > pid)
			hi = mid;
		else
			return &s->procs[mid];
	}
	return NULL;
}

int meminfo_bytes(const struct sample *s, const char *key, uint64_t *ret)
{
	uint64_t v;
	if (s->s_meminfo.state != SRC_OK || kv_get(&s->meminfo, key, &v) < 0)
		return -ENOENT;
	*ret = v * 1024;
	return 0;
}

void src_reason(const struct src *s, const char *what, char *out, size_t n)
{
	if (s->why[0])
		snprintf(out, n, "%s", s->why);
	else
		snprintf(out, n, "%s was not read", s->path[0] ? s->path : what);
}

bool window_src_ok(const struct inputs *in, size_t off, char *why, size_t n)
{
	const struct src *c = (const struct src *)((const char *)&in->cur + off);
	if (c->state != SRC_OK) {
		src_reason(c, "a file of the later sample", why, n);
		return false;
	}
	if (in->mode != WINDOW_INTERVAL)
		return true;
	if (!in->prev) {
		snprintf(why, n, "no earlier sample to take the difference from");
		return false;
	}
	const struct src *p = (const struct src *)((const char *)in->prev + off);
	if (p->state != SRC_OK) {
		src_reason(p, "a file of the earlier sample", why, n);
		return false;
	}
	return true;
}

double window_seconds(const struct inputs *in, char *why, size_t n)
{
	if (in->mode == WINDOW_INTERVAL) {
		if (in->interval_s > 0)
			return in->interval_s;
		snprintf(why, n, "the window between the samples is empty");
		return -1;
	}
	const struct src *u = &in->cur.s_uptime;
	if (u->state == SRC_OK && in->cur.uptime_s > 0)
		return in->cur.uptime_s;
	if (u->state == SRC_OK)
		snprintf(why, n, "%s reads 0 s since boot", u->path);
	else
		src_reason(u, "proc/uptime", why, n);
	return -1;
}

/* libFuzzer harness for every parser. The first byte picks the parser, the
 * rest is the file text. The corpus starts from the real captures in
 * shared/fixtures/real (tests/fuzz/seed-corpus.sh). Any crash, sanitizer
 * report or error without a message is a bug. */
#include "proc/proc.h"
#include "model/vma.h"

typedef int (*parse_fn)(const char *text, struct perr *e);

#define WRAP(name, type, call, cleanup)                                        \
	static int name(const char *t, struct perr *e)                         \
	{                                                                      \
		type v;                                                        \
		memset(&v, 0, sizeof(v));                                      \
		int rc = call(t, &v, e);                                       \
		cleanup;                                                       \
		return rc;                                                     \
	}

WRAP(f_meminfo, struct kvtab, proc_meminfo_parse, kvtab_free(&v))
WRAP(f_vmstat, struct kvtab, proc_vmstat_parse, kvtab_free(&v))
WRAP(f_stat, struct proc_stat, proc_stat_parse, proc_stat_free(&v))
WRAP(f_loadavg, struct loadavg, proc_loadavg_parse, (void)0)
WRAP(f_pressure, struct psi, proc_pressure_parse, (void)0)
WRAP(f_dentry, struct dentry_state, proc_dentry_state_parse, (void)0)
WRAP(f_interrupts, struct irq_table, proc_interrupts_parse, irq_table_free(&v))
WRAP(f_softirqs, struct irq_table, proc_softirqs_parse, irq_table_free(&v))
WRAP(f_softnet, struct softnet, proc_softnet_parse, softnet_free(&v))
WRAP(f_pidstat, struct pid_stat, proc_pid_stat_parse, (void)0)
WRAP(f_status, struct pid_status, proc_pid_status_parse, (void)0)
WRAP(f_stack, struct kstack, proc_stack_parse, kstack_free(&v))
/* A parsed maps file is also summarised, as the reader does: the search
 * walk must end and stay in bounds on any layout. */
static void summarise(const struct maps *m, int rc)
{
	struct vma_summary s;
	if (rc == 0 && vma_summarize(m, &s) == 0 && s.ntop > VMA_TOP_SIZES)
		__builtin_trap();
}
WRAP(f_maps, struct maps, proc_maps_parse, (summarise(&v, rc), maps_free(&v)))
WRAP(f_mountinfo, struct mounts, proc_mountinfo_parse, mounts_free(&v))
WRAP(f_cpumask, struct cpuset, cpumask_parse, (void)0)
WRAP(f_cpulist, struct cpuset, cpulist_parse, (void)0)
WRAP(f_version, struct kernel_version, proc_version_parse, (void)0)
WRAP(f_release, struct kernel_version, kernel_release_parse, (void)0)

static const parse_fn parsers[] = {
	f_meminfo, f_vmstat, f_stat, f_loadavg, f_pressure, f_dentry, f_interrupts, f_softirqs, f_softnet,
	f_pidstat, f_status, f_stack, f_maps, f_mountinfo, f_cpumask, f_cpulist, f_version, f_release,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	parse_fn f = parsers[data[0] % ARRAY_SIZE(parsers)];
	char *text = xstrndup((const char *)data + 1, size - 1); /* files are text: stop at NUL */
	struct perr e = {0};
	int rc = f(text, &e);
	if (rc != 0 && (rc != -EINVAL || !e.msg[0]))
		__builtin_trap();
	char *w = proc_wchan_parse(text);
	free(w);
	free(text);
	return 0;
}

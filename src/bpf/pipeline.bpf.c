// SPDX-License-Identifier: GPL-2.0
/* The smallest real BPF program: proves clang -target bpf, vmlinux.h,
 * CO-RE and the skeleton build work, and that the kernel loads and runs
 * what we build. It counts sys_enter_getpid calls of one target tgid. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

const volatile __u32 target_tgid = 0;
__u64 hits = 0;
__u32 seen_tgid = 0;

SEC("tracepoint/syscalls/sys_enter_getpid")
int count_getpid(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	/* A CO-RE read, so the relocation path is exercised too. */
	__u32 tgid = BPF_CORE_READ(t, tgid);

	if (tgid != target_tgid)
		return 0;
	seen_tgid = tgid;
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

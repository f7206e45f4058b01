// SPDX-License-Identifier: GPL-2.0
/* The smallest real BPF program: proves clang -target bpf, vmlinux.h,
 * CO-RE and the skeleton build work, and that the kernel loads and runs
 * what we build. It counts getpid() calls of one target tgid.
 *
 * tp_btf, not a classic tracepoint: tp_btf attaches through BTF and needs
 * no tracefs mounted (classic tracepoints look their id up in
 * /sys/kernel/tracing, which many hosts, this one included, do not mount). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

const volatile __u32 target_tgid = 0;
const volatile long target_syscall = 0;
__u64 hits = 0;
__u32 seen_tgid = 0;

SEC("tp_btf/sys_enter")
int BPF_PROG(count_syscall, struct pt_regs *regs, long id)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
	/* A CO-RE read, so the relocation path is exercised too. */
	__u32 tgid = BPF_CORE_READ(t, tgid);

	if (tgid != target_tgid || id != target_syscall)
		return 0;
	seen_tgid = tgid;
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

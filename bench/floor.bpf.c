// SPDX-License-Identifier: GPL-2.0
/* The floor a kstall program is measured against: an empty program of
 * the same kind (tp_btf) on the same tracepoint. bench/floor.c attaches
 * one instance per tracepoint named on its command line. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tp_btf/sched_switch") /* the target is set at load time */
int floor_prog(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

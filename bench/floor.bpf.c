// SPDX-License-Identifier: GPL-2.0
/* The floor a kstall program is measured against: an empty program of
 * the same kind (tp_btf) on the same tracepoint. bench/floor.c attaches
 * one instance per tracepoint named on its command line; with -c, a
 * program that reads the clock once instead (the least a measurement
 * costs); with -k, jiffies instead (bpf_jiffies64: a tick's resolution,
 * no clock source read; tracing programs may not read the coarse
 * clock). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tp_btf/sched_switch") /* the target is set at load time */
int floor_prog(void *ctx)
{
	return 0;
}

/* The same with one clock read: what timing anything costs at least. */
__u64 floor_last_ns;

SEC("tp_btf/sched_switch")
int floor_clock(void *ctx)
{
	floor_last_ns = bpf_ktime_get_ns();
	return 0;
}

/* The same with jiffies. */
SEC("tp_btf/sched_switch")
int floor_jiffies(void *ctx)
{
	floor_last_ns = bpf_jiffies64();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

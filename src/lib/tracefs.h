/* tracefs for kstall alone: classic tracepoints (syscalls:sys_enter_openat
 * and the like) are attached through ids that libbpf reads from tracefs.
 * Many hosts do not mount it, and kstall must not change the host: it
 * mounts it in a private mount namespace of its own, which ends with it. */
#ifndef KSTALL_TRACEFS_H
#define KSTALL_TRACEFS_H

#include "util.h"

/* Make tracefs available to this process: already mounted, or mounted in a
 * private mount namespace. Call before any thread starts (unshare needs a
 * single-threaded process). 0, or -errno with nothing changed for others. */
int tracefs_prepare(void);
/* Whether syscall events can be attached (tracefs with events/syscalls). */
bool tracefs_has_syscall_events(void);
/* The tracers this kernel offers (available_tracers, one line), once
 * tracefs is there. 0, or -ENOENT. */
int tracefs_available_tracers(char *buf, size_t len);

#endif

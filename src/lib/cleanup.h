/* What kstall leaves behind if it is stopped half way: nothing. A
 * temporary file or directory registered here is removed on SIGINT,
 * SIGTERM, SIGHUP and SIGPIPE (the handler removes it with
 * async-signal-safe calls only, never following a link, then dies of the
 * same signal), and by the code that made it on every other path. */
#ifndef KSTALL_CLEANUP_H
#define KSTALL_CLEANUP_H

#include "util.h"

#define CLEANUP_SLOTS 4

/* Register name (a file, or a directory tree) under directory dirfd.
 * dirfd must stay open until cleanup_forget. Returns a slot (>= 0), or
 * -ENOSPC when all slots are taken. */
int cleanup_register(int dirfd, const char *name);
/* The path was renamed into place or removed: forget it. */
void cleanup_forget(int slot);
/* Remove name under dirfd now (a file, or a directory and all it holds),
 * never following a link. Async-signal-safe. 0 or -errno. */
int cleanup_remove_at(int dirfd, const char *name);

#endif

/* What kstall leaves behind if it is stopped half way: nothing. A
 * temporary file or directory registered here is removed on SIGINT,
 * SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGXFSZ, SIGUSR1, SIGUSR2 and SIGALRM
 * (the signals whose default is to end the process; the handler removes it with
 * async-signal-safe calls only, never following a link, then dies of the
 * same signal), and by the code that made it on every other path. */
#ifndef KSTALL_CLEANUP_H
#define KSTALL_CLEANUP_H

#include "util.h"

#include <signal.h>
#include <sys/types.h>

#define CLEANUP_SLOTS 4

/* Register name (a file, or a directory tree) under directory dirfd, as
 * the object kstall made (dev, ino: it is removed only while the name
 * still holds that object, never what someone put in its place). dirfd
 * must stay open until cleanup_forget. Returns a slot (>= 0), or -ENOSPC
 * when all slots are taken. Call with the cleanup signals blocked
 * (cleanup_block) from before the object is made, so that no signal
 * falls between making it and registering it. */
int cleanup_register(int dirfd, const char *name, dev_t dev, ino_t ino);
/* Block and unblock the signals the handler serves. */
void cleanup_block(sigset_t *old);
void cleanup_unblock(const sigset_t *old);
/* Remove name under dirfd (a file, or a directory and all it holds,
 * never following a link) if it still holds (dev, ino); -ESTALE, left
 * alone, if it holds something else. Async-signal-safe. 0 or -errno. */
int cleanup_remove_if(int dirfd, const char *name, dev_t dev, ino_t ino);
/* The path was renamed into place or removed: forget it. */
void cleanup_forget(int slot);

#endif

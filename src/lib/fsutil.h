/* Small file-system helpers for writing snapshots. */
#ifndef KSTALL_FSUTIL_H
#define KSTALL_FSUTIL_H

#include "util.h"

/* A relative path that cannot leave its root: not absolute, no ".." part. */
bool relpath_is_safe(const char *rel);
/* mkdir -p path. 0 or -errno. */
int mkdir_p(const char *path);
/* mkdir -p of the directory holding file path. 0 or -errno. */
int mkdir_parents(const char *path);
/* Write data to path (parents made, never through a symlink at the end),
 * retrying short writes. 0 or -errno. */
int write_whole_file(const char *path, const char *data, size_t len);
/* rm -rf path, not following symlinks. Best effort. */
void rm_rf(const char *path);

#endif

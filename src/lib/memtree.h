/* A tree of files held in memory: what a .tar.gz snapshot or a recording's
 * window holds, read through the same sysroot as a directory, so that no
 * input from elsewhere is ever written to disk to be read back.
 *
 * Paths are relative and clean ("proc/1/stat": no leading '/', no "." or
 * ".." parts, no empty parts). Directories are implied by the files under
 * them, or added explicitly (data NULL). Adding a path twice keeps the
 * later copy, as extracting an archive over itself would. */
#ifndef KSTALL_MEMTREE_H
#define KSTALL_MEMTREE_H

#include "util.h"

struct memfile {
	char *path;
	char *data; /* NUL-terminated copy; NULL for a directory */
	size_t len;
};

struct memtree {
	struct memfile *v;
	size_t n, cap;
	size_t bytes;  /* sum of the files' lengths */
	bool sorted;   /* by path, duplicates removed */
};

/* A copy of path, made clean, or NULL when it cannot be: absolute, a ".."
 * part, empty. "./a//b/" becomes "a/b". */
char *memtree_clean_path(const char *path);
/* Add a file (data non-NULL) or a directory (data NULL). path must be
 * clean (memtree_clean_path); -EINVAL otherwise. */
int memtree_add(struct memtree *t, const char *path, const char *data, size_t len);
/* Sort and drop earlier duplicates; lookups call it themselves. */
void memtree_finish(struct memtree *t);
void memtree_free(struct memtree *t);

/* The file at path, NULL if there is none (or it is a directory). */
const struct memfile *memtree_file(struct memtree *t, const char *path);
/* Is path a file or a directory of the tree? ("" and "." are the top.) */
bool memtree_is_dir(struct memtree *t, const char *path);
/* Names directly under directory path, sorted, NULL-terminated (free with
 * strv_free). -ENOENT if path is not a directory of the tree. */
int memtree_list(struct memtree *t, const char *path, char ***ret_names);

#endif

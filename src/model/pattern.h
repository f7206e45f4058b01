/* Path patterns: the varying parts of paths collapsed, so that a loop over
 * /etc/pki/nssdb/.6685897_dOeSnotExist_.db, .6685898_..., ... is one
 * pattern with a count. */
#ifndef KSTALL_PATTERN_H
#define KSTALL_PATTERN_H

#include "../lib/util.h"

/* UUIDs and runs of 8 or more hex digits that mix digits and letters
 * (hashes) become "X"; other runs of decimal digits become "N". Returns a
 * new string. */
char *path_pattern(const char *path);

struct pattern_count {
	char *pattern;
	char *example; /* the first path seen with this pattern */
	uint64_t n;
};

struct pattern_set {
	struct pattern_count *v;
	size_t n, cap;
	uint64_t total;
	uint64_t overflow; /* paths whose pattern did not fit (bounded set) */
};

#define PATTERN_SET_MAX 64 /* per process: a few hundred bytes each */

void pattern_set_add(struct pattern_set *s, const char *path, uint64_t n);
/* Most frequent first. */
void pattern_set_sort(struct pattern_set *s);
void pattern_set_free(struct pattern_set *s);

#endif

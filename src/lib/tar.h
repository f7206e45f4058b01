/* Snapshots as .tar.gz: POSIX ustar through zlib, read into memory and
 * written from memory. An archive is input from elsewhere, so the reader
 * follows the three rules of a safe extraction and more: no absolute
 * names, no ".." part, no links or devices (they are skipped: nothing is
 * extracted to disk, so a link could only mislead); every header's
 * checksum and octal fields are checked; a member over SYSROOT_MAX_FILE or
 * an archive over TAR_MAX_TOTAL is refused at its header, before its data
 * is read, and a gzip stream that expands more than TAR_RATIO-fold is
 * refused as it is read; the archive must end with its two zero blocks and the gzip
 * stream with its trailer (CRC and length), so a cut file is an error,
 * never a smaller tree. */
#ifndef KSTALL_TAR_H
#define KSTALL_TAR_H

#include "memtree.h"

#define TAR_MAX_TOTAL (512ull << 20) /* all members together, names included */
#define TAR_MAX_ENTRIES 1000000
/* A gzip'd archive may unpack to TAR_RATIO_FREE, then at most TAR_RATIO
 * times what was read of it: kstall's own snapshots unpack about 20-fold,
 * small archives padded by GNU tar about 30-fold; deflate's limit is
 * 1032-fold, which a bomb reaches. */
#define TAR_RATIO 100
#define TAR_RATIO_FREE (64ull << 20)

bool path_is_tar_gz(const char *path);

/* Read the .tar.gz at path into *ret. 0, or -errno with why (which never
 * quotes the archive's content, only member names, escaped by the
 * caller's renderer): -EINVAL malformed, -EFBIG over a limit, -ENOENT... */
int tar_gz_read(const char *path, struct memtree *ret, char *why, size_t whylen);
/* The same over an uncompressed tar held in memory (the fuzzer's way in). */
int tar_read_mem(const void *data, size_t len, struct memtree *ret, char *why, size_t whylen);
/* The same over gzip bytes held in memory. */
int tar_gz_read_mem(const void *data, size_t len, struct memtree *ret, char *why, size_t whylen);

/* Write the tree's files (directories implied by their paths), sorted, as
 * a .tar.gz to fd. 0 or -errno (-ENOSPC when the disk is full). */
int tar_gz_write_fd(int fd, struct memtree *t);

#endif

/* The snapshot archive: what kstall writes reads back exactly; what an
 * archive from elsewhere holds is checked header by header, and refused
 * with its cause. Archives are built in memory, block by block. */
#include "testutil.h"
#include "lib/sysroot.h"
#include "lib/tar.h"

#include <zlib.h>

struct hdr {
	char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8], typeflag;
	char linkname[100], magic[6], version[2], uname[32], gname[32], devmajor[8], devminor[8];
	char prefix[155], pad[12];
};

static void put_member(struct buf *b, const char *name, char type, const char *data, uint64_t size,
		       const char *magic)
{
	struct hdr h = {0};
	snprintf(h.name, sizeof(h.name), "%s", name);
	snprintf(h.mode, sizeof(h.mode), "%07o", 0644);
	snprintf(h.size, sizeof(h.size), "%011llo", (unsigned long long)size);
	h.typeflag = type;
	memcpy(h.magic, magic, 6);
	memset(h.chksum, ' ', sizeof(h.chksum));
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof(h); i++)
		sum += ((unsigned char *)&h)[i];
	snprintf(h.chksum, sizeof(h.chksum), "%06o", sum);
	h.chksum[7] = ' ';
	buf_append(b, &h, sizeof(h));
	if (data) {
		buf_append(b, data, (size_t)size);
		static const char zeros[512];
		if (size % 512)
			buf_append(b, zeros, 512 - (size_t)(size % 512));
	}
}

static void put_end(struct buf *b)
{
	static const char zeros[1024];
	buf_append(b, zeros, sizeof(zeros));
}

static int read_tar(const struct buf *b, struct memtree *t, char *why)
{
	return tar_read_mem(b->data, b->len, t, why, 256);
}

static void test_round_trip(void **state UNUSED)
{
	struct memtree t = {0}, back = {0};
	char why[256] = "";
	_cleanup_free_ char *longname = xasprintf("sys/devices/pci0000:00/0000:00:1f.6/net/enp0s31f6/queues/rx-0/"
						  "%0120d/rps_cpus", 0);
	memtree_add(&t, "proc/meminfo", "MemTotal: 1 kB\n", 15);
	memtree_add(&t, "proc/1/stat", "1 (init) S 0\n", 13);
	memtree_add(&t, "proc/1.x", "", 0);
	memtree_add(&t, longname, "f\n", 2);
	memtree_add(&t, "kstall/meta", "interval_s=1\n", 13);
	char path[] = "/tmp/kstall-test-tar-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(tar_gz_write_fd(fd, &t), 0);
	size_t len = (size_t)lseek(fd, 0, SEEK_END);
	char *gz = xmalloc(len);
	assert_int_equal(pread(fd, gz, len, 0), (ssize_t)len);
	close(fd);
	assert_int_equal(tar_gz_read_mem(gz, len, &back, why, sizeof(why)), 0);
	assert_int_equal(back.n, 5 + 12); /* and the 12 directories above them */
	struct sysroot *r;
	assert_int_equal(sysroot_open_mem(&back, "x", &r), 0);
	struct buf b = {0};
	assert_int_equal(sysroot_read(r, longname, &b), 0);
	assert_string_equal(b.data, "f\n");
	buf_free(&b);
	assert_int_equal(sysroot_read(r, "proc/1.x", &b), 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	sysroot_free(r);
	/* Cut anywhere, it is an error, never a smaller tree. */
	for (size_t cut = 0; cut < len; cut += len / 7 + 1) {
		struct memtree part = {0};
		assert_int_equal(tar_gz_read_mem(gz, cut, &part, why, sizeof(why)), -EINVAL);
		assert_true(str_starts_with(why, "truncated"));
		assert_int_equal(part.n, 0);
	}
	free(gz);
	memtree_free(&t);
	/* A full disk says so. */
	int full = open("/dev/full", O_WRONLY);
	assert_true(full >= 0);
	memtree_add(&t, "proc/meminfo", "x", 1);
	assert_int_equal(tar_gz_write_fd(full, &t), -ENOSPC);
	close(full);
	memtree_free(&t);
}

static void test_refusals(void **state UNUSED)
{
	struct memtree t = {0};
	char why[256];
	struct {
		const char *name;
		char type;
		uint64_t size;
		const char *magic;
		int rc;
		const char *want;
	} cases[] = {
		{"/etc/passwd", '0', 1, "ustar", -EINVAL, "an absolute name"},
		{"proc/../../x", '0', 1, "ustar", -EINVAL, "a '..' part"},
		{"proc/big", '0', 100ull << 20, "ustar", -EFBIG, "proc/big: 100 MiB is over the 64 MiB limit"},
		{"proc", '5', 2ull << 30, "ustar", -EFBIG, "more than 512 MiB"},
		{"proc/x", 'Z', 0, "ustar", -EINVAL, "unknown type 'Z'"},
		{"proc/x", '0', 1, "nope!", -EINVAL, "not a ustar header"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf b = {0};
		put_member(&b, cases[i].name, cases[i].type, NULL, cases[i].size, cases[i].magic);
		put_end(&b);
		why[0] = '\0';
		assert_int_equal(read_tar(&b, &t, why), cases[i].rc);
		if (!strstr(why, cases[i].want))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, why, cases[i].want);
		buf_free(&b);
	}
	/* A bad checksum. */
	struct buf b = {0};
	put_member(&b, "proc/x", '0', "x", 1, "ustar");
	b.data[0] = 'q';
	put_end(&b);
	assert_int_equal(read_tar(&b, &t, why), -EINVAL);
	assert_string_equal(why, "member 1: bad header checksum");
	buf_free(&b);
	/* One end block, a zero block inside, data after the end. */
	put_member(&b, "proc/x", '0', "x", 1, "ustar");
	buf_append(&b, (char[512]){0}, 512);
	assert_int_equal(read_tar(&b, &t, why), -EINVAL);
	assert_string_equal(why, "truncated: the archive has one end block of two");
	put_member(&b, "proc/y", '0', "y", 1, "ustar");
	put_end(&b);
	assert_int_equal(read_tar(&b, &t, why), -EINVAL);
	assert_string_equal(why, "a zero block inside the archive (member 2)");
	buf_free(&b);
	put_member(&b, "proc/x", '0', "x", 1, "ustar");
	put_end(&b);
	buf_append(&b, "junk", 4);
	assert_int_equal(read_tar(&b, &t, why), -EINVAL);
	assert_string_equal(why, "data after the end of the archive");
	buf_free(&b);
}

/* What GNU tar and pax write: long names, links and devices (skipped),
 * the top directory. */
static void test_other_writers(void **state UNUSED)
{
	struct memtree t = {0};
	char why[256];
	struct buf b = {0};
	_cleanup_free_ char *longname = xasprintf("proc/%0150d/stat", 7);
	put_member(&b, "./", '5', NULL, 0, "ustar ");
	put_member(&b, "././@LongLink", 'L', longname, strlen(longname) + 1, "ustar ");
	put_member(&b, "truncated-name", '0', "long\n", 5, "ustar ");
	_cleanup_free_ char *pax = xasprintf("%zu path=proc/pax\n", strlen(" path=proc/pax\n") + 2);
	put_member(&b, "PaxHeaders/x", 'x', pax, strlen(pax), "ustar");
	put_member(&b, "short", '0', "pax\n", 4, "ustar");
	put_member(&b, "proc/link", '2', NULL, 0, "ustar");
	put_member(&b, "proc/dev", '3', NULL, 0, "ustar");
	put_member(&b, "./proc//meminfo", '0', "m\n", 2, "ustar");
	put_end(&b);
	buf_append(&b, (char[4096]){0}, 4096); /* GNU tar pads to its record size */
	assert_int_equal(read_tar(&b, &t, why), 0);
	assert_int_equal(t.n, 3);
	assert_non_null(memtree_file(&t, longname));
	assert_string_equal(memtree_file(&t, "proc/pax")->data, "pax\n");
	assert_string_equal(memtree_file(&t, "proc/meminfo")->data, "m\n");
	assert_null(memtree_file(&t, "proc/link"));
	memtree_free(&t);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_other_writers),
	};
	return cmocka_run_group_tests_name("tar", tests, NULL, NULL);
}

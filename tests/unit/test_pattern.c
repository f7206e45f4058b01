/* Path patterns: the seed's NSS probe family is one pattern. */
#include "testutil.h"
#include "model/pattern.h"

static void expect(const char *path, const char *want)
{
	char *p = path_pattern(path);
	if (strcmp(p, want))
		fail_msg("%s -> %s, want %s", path, p, want);
	free(p);
}

static void test_patterns(void **state UNUSED)
{
	expect("/etc/pki/nssdb/.6685897_dOeSnotExist_.db", "/etc/pki/nssdb/.N_dOeSnotExist_.db");
	expect("/etc/pki/nssdb/.6685898_dOeSnotExist_.db", "/etc/pki/nssdb/.N_dOeSnotExist_.db");
	expect("/tmp/missing-12/file-3.txt", "/tmp/missing-N/file-N.txt");
	expect("/var/cache/3f2a9c1e-77b0-4d1c-9a5e-0123456789ab.json", "/var/cache/X.json");
	expect("/usr/lib/x86_64-linux-gnu/libfoo.so", "/usr/lib/xN_N-linux-gnu/libfoo.so");
	expect("/etc/deadbeef", "/etc/deadbeef"); /* all letters: a word, not a hash */
	expect("/git/objects/3f/2a9c1e77b04d1c9a5e0123456789ab", "/git/objects/Nf/X");
	expect("", "");
}

static void test_set_counts_and_orders(void **state UNUSED)
{
	struct pattern_set s = {0};
	char path[128];
	for (int i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "/etc/pki/nssdb/.%d_dOeSnotExist_.db", 6685897 + i);
		pattern_set_add(&s, path, 1);
	}
	pattern_set_add(&s, "/usr/share/locale/C.UTF-8/LC_MESSAGES/curl.mo", 3);
	pattern_set_sort(&s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0].pattern, "/etc/pki/nssdb/.N_dOeSnotExist_.db");
	assert_int_equal(s.v[0].n, 1000);
	assert_string_equal(s.v[0].example, "/etc/pki/nssdb/.6685897_dOeSnotExist_.db");
	assert_int_equal(s.total, 1003);
	pattern_set_free(&s);

	/* Bounded: distinct patterns past the cap are counted, not kept. */
	for (int i = 0; i < PATTERN_SET_MAX + 10; i++) {
		snprintf(path, sizeof(path), "/d%c%c/x", 'a' + i % 26, 'a' + i / 26);
		pattern_set_add(&s, path, 1);
	}
	assert_int_equal(s.n, PATTERN_SET_MAX);
	assert_int_equal(s.overflow, 10);
	pattern_set_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_set_counts_and_orders),
	};
	return cmocka_run_group_tests_name("pattern", tests, NULL, NULL);
}

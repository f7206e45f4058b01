/* Seeds for fuzz_recording, made with kstall's own writer
 * (rec_write_frame, traced_to_json): valid recordings, a damaged copy,
 * bombs, and bare payloads; and a recording of format 1 from the tracer
 * states kstall 0.1.0 wrote (tests/fixtures/recording-v1). Each file
 * starts with fuzz_recording's mode byte: 0 a recording, 1 a payload.
 * Usage: seed_recording DIR, from the top of the tree. */
#include "record/recfile.h"

#include <fcntl.h>
#include <zlib.h>

static const char *dir;

static int seed_open(const char *name, char mode)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, &mode, 1) != 1) {
		perror(path);
		exit(1);
	}
	return fd;
}

static void put(int fd, const void *p, size_t n)
{
	if (write(fd, p, n) != (ssize_t)n) {
		perror("write");
		exit(1);
	}
}

static void frame(int fd, enum rec_type type, const char *json)
{
	if (rec_write_frame(fd, type, json) < 0) {
		fprintf(stderr, "seed_recording: rec_write_frame failed\n");
		exit(1);
	}
}

/* A tracer's state with something in every part. */
static char *traced_state(double dur, uint64_t n)
{
	struct traced t = {.duration_s = dur, .threshold_ms = 10, .groups = 0x7f, .nattached = 40,
			   .ringbuf_lost = 1, .has_bpf_stats = true, .bpf_run_s = 0.01, .bpf_run_cnt = 1000,
			   .user_cpu_s = 0.2};
	static const unsigned kinds[] = {TR_DIRECT_RECLAIM, TR_SHRINKER, TR_MMAP, TR_SOFTIRQ, TR_HARDIRQ, TR_ML_HOLD};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		ARRAY_GROW(t.hists, t.nhists, t.caphists);
		struct tr_hist *h = &t.hists[t.nhists++];
		*h = (struct tr_hist){.tgid = 100 + (uint32_t)i, .kind = kinds[i], .detail = 0xffffffff816bd4b0ULL >> i,
				      .count = n, .sum_ns = n * 1000, .max_ns = 5000, .extra1 = i, .max_tid = 101};
		h->slots[i + 2] = n;
		snprintf(h->comm, sizeof(h->comm), "proc%zu", i);
		snprintf(h->name, sizeof(h->name), i == 1 ? "super_cache_scan" : "");
	}
	ARRAY_GROW(t.lookups, t.nlookups, t.caplookups);
	struct tr_lookup *l = &t.lookups[t.nlookups++];
	*l = (struct tr_lookup){.tgid = 42, .failed = n * 100, .calls = n * 101};
	snprintf(l->comm, sizeof(l->comm), "curl");
	pattern_set_add(&l->patterns, "/etc/pki/nssdb/.6685897_dOeSnotExist_.db", n);
	pattern_set_add(&l->patterns, "/tmp/x/1234", 1);
	ARRAY_GROW(t.events, t.nevents, t.capevents);
	t.events[t.nevents++] = (struct tr_event){.kind = TR_DIRECT_RECLAIM, .tid = 42, .tgid = 42, .t_s = dur / 2,
						  .dur_ns = 20000000, .detail = 1};
	ARRAY_GROW(t.events, t.nevents, t.capevents);
	t.events[t.nevents++] = (struct tr_event){
		.kind = TR_ML_WAIT_READ, .tid = 50, .tgid = 50, .t_s = dur / 3, .dur_ns = 30000000,
		.ml = {.present = true, .tid = 51, .tgid = 51, .where = 56, .hold_ns = 40000000, .map_count = 9000}};
	char *s = traced_to_json(&t);
	traced_free(&t);
	return s;
}

static char *interval_of(int i, const char *tj)
{
	return xasprintf("{\"t_mono\":%.9f,\"t_real\":%.6f,\"host_files\":%s,\"files\":{\"proc/stat\":\"cpu  1 2 3\\n\","
			 "\"proc/1/stat\":\"1 (init) S 0\",\"proc/1/cmdline\":\"/sbin/init\\u0000\"},\"traced\":%s}",
			 100 + i * 2.0, 1.7e9 + i * 2, i == 0 ? "{\"proc/version\":\"Linux version 6.1\"}" : "{}", tj);
}

static char *interval(int i)
{
	_cleanup_free_ char *tj = traced_state(i * 2.0, (uint64_t)i * 3);
	return interval_of(i, tj);
}

#define HEADER(format) \
	"{\"format\":" #format ",\"kstall_version\":\"0.1.0\",\"interval_s\":2,\"threshold_ms\":10,\"user_hz\":100," \
	"\"t_real\":1700000000}"
#define HEADER_OF(format) HEADER(format)
static const char header[] = HEADER_OF(REC_FORMAT);

static char *slurp_file(const char *path)
{
	struct buf b = {0};
	char tmp[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		buf_append(&b, tmp, (size_t)n);
	close(fd);
	buf_append(&b, "", 1);
	return b.data;
}

/* Format 1: two frames of a real window, as kstall 0.1.0 wrote them. */
static void recording_v1(int fd)
{
	static const char *const states[] = {"tests/fixtures/recording-v1/window-a.json",
					     "tests/fixtures/recording-v1/window-b.json"};
	frame(fd, REC_HEADER, HEADER(1));
	for (int i = 0; i < 2; i++) {
		_cleanup_free_ char *tj = slurp_file(states[i]), *j = interval_of(i, tj);
		frame(fd, REC_INTERVAL, j);
	}
}

static void recording(int fd, int nframes)
{
	frame(fd, REC_HEADER, header);
	for (int i = 0; i < nframes; i++) {
		_cleanup_free_ char *j = interval(i);
		frame(fd, REC_INTERVAL, j);
	}
}

/* A frame of len bytes ("{" + spaces or random letters + "}") claiming
 * claim bytes. */
static void bomb_frame(int fd, size_t len, size_t claim, bool letters)
{
	char *s = xmalloc(len);
	uint32_t x = 12345;
	for (size_t i = 0; i < len; i++)
		s[i] = letters ? (char)('a' + (x = x * 1103515245 + 12345) % 26) : ' ';
	s[0] = '{';
	s[len - 1] = '}';
	uLongf zl = compressBound(len);
	unsigned char *z = xmalloc(zl);
	if (compress2(z, &zl, (unsigned char *)s, len, 9) != Z_OK)
		exit(1);
	char line[96];
	int n = snprintf(line, sizeof(line), "KSREC1 I %lu %zu %08lx\n", (unsigned long)zl, claim,
			 (unsigned long)crc32(0, z, (uInt)zl));
	put(fd, line, (size_t)n);
	put(fd, z, zl);
	put(fd, "\n", 1);
	free(z);
	free(s);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: seed_recording DIR\n");
		return 2;
	}
	dir = argv[1];

	int fd = seed_open("rec-valid", 0);
	recording(fd, 3);
	close(fd);
	fd = seed_open("rec-format1", 0);
	recording_v1(fd);
	close(fd);
	fd = seed_open("rec-two-segments", 0);
	recording(fd, 2);
	recording(fd, 2);
	close(fd);

	/* Damaged: cut inside the last frame, and a flipped byte. */
	_cleanup_free_ char *valid = xasprintf("%s/rec-valid", dir);
	struct buf b = {0};
	char tmp[4096];
	ssize_t n;
	int in = open(valid, O_RDONLY);
	while ((n = read(in, tmp, sizeof(tmp))) > 0)
		buf_append(&b, tmp, (size_t)n);
	close(in);
	fd = seed_open("rec-cut", 0);
	put(fd, b.data + 1, b.len - 1 - 40);
	close(fd);
	b.data[b.len / 2] ^= 0x20;
	fd = seed_open("rec-flipped", 0);
	put(fd, b.data + 1, b.len - 1);
	close(fd);
	buf_free(&b);

	/* Bombs: a claim past the limit, a claim larger than the data, one
	 * at deflate's ratio. */
	fd = seed_open("rec-bomb-claim", 0);
	frame(fd, REC_HEADER, header);
	bomb_frame(fd, 1 << 16, 256u << 20, false);
	close(fd);
	fd = seed_open("rec-bomb-short", 0);
	frame(fd, REC_HEADER, header);
	bomb_frame(fd, 1 << 12, 1 << 13, true);
	close(fd);
	fd = seed_open("rec-bomb-ratio", 0);
	frame(fd, REC_HEADER, header);
	bomb_frame(fd, 1 << 20, 1 << 20, false);
	close(fd);

	/* Payloads. */
	_cleanup_free_ char *tj = traced_state(4, 7), *iv = interval(1);
	fd = seed_open("payload-traced", 1);
	put(fd, tj, strlen(tj));
	close(fd);
	fd = seed_open("payload-interval", 1);
	put(fd, iv, strlen(iv));
	close(fd);
	_cleanup_free_ char *tj1 = slurp_file("tests/fixtures/recording-v1/traced.json");
	fd = seed_open("payload-traced-format1", 1);
	put(fd, tj1, strlen(tj1));
	close(fd);
	fd = seed_open("payload-header", 1);
	put(fd, header, strlen(header));
	close(fd);
	return 0;
}

/* libFuzzer harness for a snapshot archive from elsewhere, through all
 * that reads it: the tar reader (src/lib/tar.c), then, on the tree it
 * gives, the whole reader (collect: every parser in src/proc and src/collect
 * on the files a tree holds), the detectors and both renderers, as
 * `check --root X.tar.gz` runs them. The first byte picks the layer:
 *   even: the rest is an uncompressed tar;
 *   odd:  the rest is gzip bytes (the stream's framing, trailer, CRC).
 * Seeds: tests/fuzz/seed-tree.sh (the fixture trees and the real captures
 * as tar and tar.gz). A crash, a sanitizer report or a refusal without a
 * reason is a bug. */
#include "collect/collect.h"
#include "detect/detect.h"
#include "lib/tar.h"
#include "render/render.h"

#define BUG() __builtin_trap()

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct memtree t = {0};
	char why[512] = "";

	if (size < 1)
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	int rc = data[0] % 2 ? tar_gz_read_mem(data + 1, size - 1, &t, why, sizeof(why))
			     : tar_read_mem(data + 1, size - 1, &t, why, sizeof(why));
	if (rc < 0) {
		if (!why[0] || t.n)
			BUG();
		return 0;
	}
	struct sysroot *r;
	if (sysroot_open_mem(&t, "fuzz.tar.gz", &r) < 0)
		BUG();
	struct inputs in;
	struct collect_opts co = {.interval_s = 1};
	if (collect(r, &co, &in) == 0) {
		struct report rep = {.in = &in};
		detect_all(&in, 0, &rep.findings, &rep.skips);
		metrics_collect(&in, &rep.metrics);
		render_json(devnull, &rep);
		render_text(devnull, &rep, false);
		findings_free(&rep.findings);
		skips_free(&rep.skips);
		metrics_free(&rep.metrics);
	}
	inputs_free(&in);
	sysroot_free(r);
	return 0;
}

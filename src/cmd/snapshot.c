/* kstall snapshot: check, and keep a copy of every file it read, so that
 * `kstall check --root COPY` elsewhere gives the same findings.
 *
 * Layout: the later sample's files at their own paths (proc/..., sys/...);
 * the earlier sample's rate files under kstall/sample0/; kstall/meta holds
 * the window (interval, wall-clock times, USER_HZ). */
#include "cmd.h"
#include "../lib/fsutil.h"

#include <fcntl.h>
#include <sys/stat.h>

static int write_file(const char *dir, const char *rel, const char *data, size_t len)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, rel);
	return write_whole_file(path, data, len);
}

static bool dir_empty_or_absent(const char *path)
{
	struct sysroot *r;
	char **names = NULL;
	if (access(path, F_OK) < 0)
		return errno == ENOENT;
	if (sysroot_open(path, &r) < 0)
		return false;
	bool empty = sysroot_list(r, ".", &names) == 0 && !names[0];
	strv_free(names);
	sysroot_free(r);
	return empty;
}

static int write_snapshot(struct sysroot *r, const char *dir, const struct run_window *w)
{
	const struct capture_entry *e;
	size_t n = sysroot_captured(r, &e);
	bool live = sysroot_is_live(r);
	int rc = mkdir_p(dir);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		/* From a tree, paths already carry their sample prefix. */
		_cleanup_free_ char *rel = live && e[i].sample == 0 ? xasprintf(SNAPSHOT_SAMPLE0 "%s", e[i].path)
								     : xstrdup(e[i].path);
		if (!strcmp(rel, SNAPSHOT_META))
			continue;
		rc = write_file(dir, rel, e[i].data, e[i].len);
		if (rc < 0) {
			/* rel holds names listed in the root (bdis, interfaces) */
			_cleanup_free_ char *shown = sanitize_tty(rel);
			fprintf(stderr, "kstall: writing %s/%s: %s\n", dir, shown, strerror(-rc));
			return rc;
		}
	}
	if (w->interval_s > 0) {
		_cleanup_free_ char *meta = xasprintf("kstall_snapshot_version=1\nkstall_version=%s\n"
						      "interval_s=%.17g\nt0=%.6f\nt1=%.6f\nuser_hz=%u\n",
						      KSTALL_VERSION, w->interval_s, w->t0, w->t1, w->user_hz);
		rc = write_file(dir, SNAPSHOT_META, meta, strlen(meta));
		if (rc < 0)
			return rc;
	}
	fprintf(stderr, "kstall: snapshot of %zu files written to %s\n", n, dir);
	return 0;
}

int cmd_snapshot(int argc, char **argv)
{
	struct check_opts o;
	struct sysroot *r = NULL;
	struct run_window w = {0};
	char tmp[] = "/tmp/kstall-snap-XXXXXX";
	int rc = check_opts_parse(argc, argv, &o, VERB_SNAPSHOT);

	if (rc)
		goto out;
	if (!o.output) {
		usage_error("snapshot needs -o DIR or -o FILE.tar.gz");
		rc = EXIT_USAGE;
		goto out;
	}
	bool tgz = path_is_tar_gz(o.output);
	if (!tgz && !dir_empty_or_absent(o.output)) {
		fprintf(stderr, "kstall: %s exists and is not an empty directory\n", o.output);
		rc = EXIT_CANNOT_RUN;
		goto out;
	}
	if (path_is_tar_gz(o.root)) {
		usage_error("snapshot reads a live host or a directory, not an archive");
		rc = EXIT_USAGE;
		goto out;
	}
	rc = sysroot_open(o.root, &r);
	if (rc < 0) {
		fprintf(stderr, "kstall: cannot open root %s: %s\n", o.root, strerror(-rc));
		rc = EXIT_CANNOT_RUN;
		goto out;
	}
	sysroot_capture(r, true);
	sysroot_capture_sample(r, 1);
	rc = run_check(&o, r, &w);
	if (rc == EXIT_CANNOT_RUN)
		goto out;
	int wrc;
	if (tgz) {
		if (!mkdtemp(tmp)) {
			rc = EXIT_CANNOT_RUN;
			goto out;
		}
		wrc = write_snapshot(r, tmp, &w);
		if (wrc == 0)
			wrc = tar_gz_write(o.output, tmp);
		rm_rf(tmp);
	} else {
		wrc = write_snapshot(r, o.output, &w);
	}
	if (wrc < 0) {
		fprintf(stderr, "kstall: writing snapshot %s failed: %s\n", o.output, strerror(-wrc));
		rc = EXIT_CANNOT_RUN;
	}
out:
	sysroot_free(r);
	check_opts_free(&o);
	return finish_output(rc);
}

#include "tracefs.h"

#include <sched.h>
#include <sys/mount.h>

static const char *const tracefs_paths[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};

bool tracefs_has_syscall_events(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(tracefs_paths); i++) {
		_cleanup_free_ char *p = xasprintf("%s/events/syscalls/sys_enter_openat/id", tracefs_paths[i]);
		if (access(p, R_OK) == 0)
			return true;
	}
	return false;
}

int tracefs_prepare(void)
{
	if (tracefs_has_syscall_events())
		return 0;
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	/* Keep our mounts from propagating back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	if (mount("nodev", tracefs_paths[0], "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -errno;
	return tracefs_has_syscall_events() ? 0 : -ENOENT;
}

int tracefs_available_tracers(char *buf, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(tracefs_paths); i++) {
		_cleanup_free_ char *p = xasprintf("%s/available_tracers", tracefs_paths[i]);
		FILE *f = fopen(p, "re");
		if (!f)
			continue;
		bool ok = fgets(buf, (int)len, f) != NULL;
		fclose(f);
		if (!ok)
			buf[0] = 0;
		buf[strcspn(buf, "\n")] = 0;
		return 0;
	}
	return -ENOENT;
}

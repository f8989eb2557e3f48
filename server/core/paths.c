/* SPDX-License-Identifier: Apache-2.0 */
/*
 * paths.c: where kassad looks for its own files when the configuration does
 * not say: today the default of [database] migrations.
 *
 * Two layouts are known. In the build tree kassad (build/server/kassad) reads
 * the source tree's migrations/ (KASSA_BUILD_MIGRATIONS_DIR, set by CMake), so
 * tests and development need no setting. An installed kassad (cmake --install,
 * a package, the container image) has its migrations at
 * <prefix>/share/kassa/migrations; it finds them relative to its own
 * executable (KASSA_INSTALL_MIGRATIONS_REL, e.g. "../share/kassa/migrations"
 * from <prefix>/sbin), so an install under any --prefix or DESTDIR works
 * without rebuilding. The installed folder wins when it exists.
 *
 * paths_setup() runs once at the start of main(), before cfg_load() copies
 * the default; it never fails (the build-tree default stays).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core.h"

#ifndef KASSA_BUILD_MIGRATIONS_DIR
#define KASSA_BUILD_MIGRATIONS_DIR "migrations"
#endif
#ifndef KASSA_INSTALL_MIGRATIONS_REL
#define KASSA_INSTALL_MIGRATIONS_REL "../share/kassa/migrations"
#endif

char kassa_migrations_default[PATHS_MAX] = KASSA_BUILD_MIGRATIONS_DIR;

/* Is path a directory we can read? */
static bool is_readable_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && access(path, R_OK | X_OK) == 0;
}

void paths_setup(void)
{
	char exe[PATHS_MAX], cand[PATHS_MAX], real[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	int len;

	if (n <= 0)
		return;	/* no /proc: the build-tree default */
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return;
	*slash = '\0';
	len = snprintf(cand, sizeof(cand), "%s/%s", exe, KASSA_INSTALL_MIGRATIONS_REL);
	if (len < 0 || (size_t)len >= sizeof(cand) || !is_readable_dir(cand))
		return;
	/* "<prefix>/sbin/../share/..." reads badly in logs and check-config */
	if (realpath(cand, real) == NULL || strlen(real) >= sizeof(kassa_migrations_default))
		return;
	memcpy(kassa_migrations_default, real, strlen(real) + 1);
}

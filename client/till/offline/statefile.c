/* SPDX-License-Identifier: Apache-2.0 */
/*
 * statefile: atomic and sealed files of the till's state directory (see
 * statefile.h). A sealed file is: 4-byte magic, 4-byte big-endian length,
 * 32-byte crypto_generichash of the contents, the contents.
 */
#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#define SEAL_HASH 32u			/* crypto_generichash_BYTES */
#define SEAL_HEADER (8u + SEAL_HASH)	/* magic + length + hash */

bool state_path(char *out, size_t outlen, const char *dir, const char *name)
{
	int n = snprintf(out, outlen, "%s/%s", dir, name);

	return n > 0 && (size_t)n < outlen;
}

bool state_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = fsync(fd) == 0;
	close(fd);
	return ok;
}

bool state_sync_parent(const char *path)
{
	char parent[STATE_PATH_MAX];
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;		/* "dir/" is dir */
	while (n > 0 && path[n - 1] != '/')
		n--;
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 0)
		return state_sync_dir(".");
	if (n >= sizeof(parent))
		return false;
	memcpy(parent, path, n);
	parent[n] = '\0';
	return state_sync_dir(parent);
}

bool state_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		len -= (size_t)w;
	}
	return true;
}

bool state_write_atomic(const char *dir, const char *name, const void *buf, size_t len,
			char *err, size_t errlen)
{
	char path[STATE_PATH_MAX], tmp[STATE_PATH_MAX + 16];
	const char *step = "open";
	int fd;

	if (!state_path(path, sizeof(path), dir, name) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "path too long: %s/%s", dir, name);
		return false;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	step = "write";
	if (!state_write_all(fd, buf, len))
		goto fail_fd;
	step = "fsync";
	if (fsync(fd) != 0)
		goto fail_fd;
	close(fd);
	step = "rename";
	if (rename(tmp, path) != 0)
		goto fail;
	step = "fsync directory";
	if (!state_sync_dir(dir))
		goto fail;
	return true;
fail_fd:
	close(fd);
fail:
	snprintf(err, errlen, "could not %s %s: %s", step, tmp, strerror(errno));
	(void)unlink(tmp);
	return false;
}

StateRead state_read(const char *dir, const char *name, uint8_t **buf, size_t *len,
		     char *err, size_t errlen)
{
	char path[STATE_PATH_MAX];
	struct stat st;
	size_t got = 0;
	int fd;

	*buf = NULL;
	*len = 0;
	if (!state_path(path, sizeof(path), dir, name)) {
		snprintf(err, errlen, "path too long: %s/%s", dir, name);
		return STATE_READ_ERROR;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return STATE_READ_MISSING;
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 0 ||
	    (uint64_t)st.st_size > STATE_FILE_MAX) {
		snprintf(err, errlen, "could not read %s: %s", path,
			 fd < 0 ? strerror(errno) : "unreadable or too large");
		if (fd >= 0)
			close(fd);
		return STATE_READ_ERROR;
	}
	*buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, *buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	(*buf)[got] = '\0';
	*len = got;
	return STATE_READ_OK;
}

bool state_write_sealed(const char *dir, const char *name, const char magic[4], const void *buf,
			size_t len, char *err, size_t errlen)
{
	uint8_t *out;
	bool ok;

	if (len > STATE_FILE_MAX - SEAL_HEADER) {
		snprintf(err, errlen, "%s too large to write", name);
		return false;
	}
	out = xmalloc(SEAL_HEADER + len);
	memcpy(out, magic, 4);
	store_be32(out + 4, (uint32_t)len);
	crypto_generichash(out + 8, SEAL_HASH, buf, len, NULL, 0);
	if (len > 0)
		memcpy(out + SEAL_HEADER, buf, len);
	ok = state_write_atomic(dir, name, out, SEAL_HEADER + len, err, errlen);
	free(out);
	return ok;
}

StateRead state_read_sealed(const char *dir, const char *name, const char magic[4],
			    uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	uint8_t hash[SEAL_HASH], *raw;
	size_t rawlen, n;
	StateRead r = state_read(dir, name, &raw, &rawlen, err, errlen);

	*buf = NULL;
	*len = 0;
	if (r != STATE_READ_OK)
		return r;
	if (rawlen < SEAL_HEADER || memcmp(raw, magic, 4) != 0)
		goto corrupt;
	n = load_be32(raw + 4);
	if (n != rawlen - SEAL_HEADER)
		goto corrupt;
	crypto_generichash(hash, SEAL_HASH, raw + SEAL_HEADER, n, NULL, 0);
	if (sodium_memcmp(hash, raw + 8, SEAL_HASH) != 0)
		goto corrupt;
	memmove(raw, raw + SEAL_HEADER, n);
	raw[n] = '\0';
	*buf = raw;
	*len = n;
	return STATE_READ_OK;
corrupt:
	snprintf(err, errlen, "%s/%s is damaged (bad header or checksum)", dir, name);
	free(raw);
	return STATE_READ_CORRUPT;
}

void state_now_rfc3339(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

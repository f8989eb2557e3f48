/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ca_index.c: kassa-ca's record of issued and revoked certificates, the
 * index.txt of `openssl ca` (ca_index.h), and the file writes kassa-ca
 * makes (atomic: a temporary file, fsync, rename).
 */
#include "ca_index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

bool ca_code_ok(const char *code)
{
	size_t n = strlen(code);

	return n >= 1 && n <= CA_CODE_MAX &&
	       strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

void ca_index_add(CaIndex *ix, char status, const char *not_after, const char *revoked,
		  const char *serial, const char *file, const char *subject)
{
	CaEntry *e;

	if (ix->n == ix->cap) {
		ix->cap = ix->cap ? ix->cap * 2 : 16;
		ix->v = xrealloc(ix->v, ix->cap * sizeof(*ix->v));
	}
	e = &ix->v[ix->n++];
	e->status = status;
	e->not_after = xstrdup(not_after);
	e->revoked = xstrdup(revoked);
	e->serial = xstrdup(serial);
	e->file = xstrdup(file);
	e->subject = xstrdup(subject);
}

void ca_index_free(CaIndex *ix)
{
	for (size_t i = 0; i < ix->n; i++) {
		free(ix->v[i].not_after);
		free(ix->v[i].revoked);
		free(ix->v[i].serial);
		free(ix->v[i].file);
		free(ix->v[i].subject);
	}
	free(ix->v);
	ix->v = NULL;
	ix->n = ix->cap = 0;
}

/* One line (without its newline) into ix; false if it is not six fields. */
static bool parse_line(CaIndex *ix, char *s)
{
	char *f[6];
	int n = 0;

	f[n++] = s;
	for (char *p = s; *p && n < 6; p++)
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
	if (n != 6 || strchr("VRE", f[0][0]) == NULL || f[0][0] == '\0' || f[0][1] != '\0' ||
	    f[1][0] == '\0' || f[3][0] == '\0' || strspn(f[3], "0123456789ABCDEFabcdef") != strlen(f[3]))
		return false;
	if ((f[0][0] == 'R') != (f[2][0] != '\0'))
		return false;
	ca_index_add(ix, f[0][0], f[1], f[2], f[3], f[4], f[5]);
	return true;
}

bool ca_index_parse(CaIndex *ix, const char *text, size_t *line)
{
	char *copy = xstrdup(text), *s = copy, *nl;
	bool ok = true;

	*line = 0;
	while (ok && *s) {
		(*line)++;
		nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		if (*s)
			ok = parse_line(ix, s);
		s = nl ? nl + 1 : s + strlen(s);
	}
	free(copy);
	return ok;
}

char *ca_index_format(const CaIndex *ix)
{
	size_t len = 1, off = 0;
	char *out;

	for (size_t i = 0; i < ix->n; i++)
		len += 8 + strlen(ix->v[i].not_after) + strlen(ix->v[i].revoked) +
		       strlen(ix->v[i].serial) + strlen(ix->v[i].file) + strlen(ix->v[i].subject);
	out = xmalloc(len);
	out[0] = '\0';
	for (size_t i = 0; i < ix->n; i++) {
		const CaEntry *e = &ix->v[i];

		off += (size_t)snprintf(out + off, len - off, "%c\t%s\t%s\t%s\t%s\t%s\n", e->status,
					e->not_after, e->revoked, e->serial, e->file, e->subject);
	}
	return out;
}

/* The value of "/KEY=" in subject into out ("" if none). */
static bool subject_field(const char *subject, const char *key, char *out, size_t outlen)
{
	const char *p = strstr(subject, key), *end;
	size_t n;

	out[0] = '\0';
	if (p == NULL || outlen == 0)
		return false;
	p += strlen(key);
	end = strchr(p, '/');
	n = end ? (size_t)(end - p) : strlen(p);
	if (n >= outlen)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return n > 0;
}

bool ca_subject_cn(const char *subject, char *out, size_t outlen)
{
	return subject_field(subject, "/CN=", out, outlen);
}

void ca_subject_ou(const char *subject, char *out, size_t outlen)
{
	(void)subject_field(subject, "/OU=", out, outlen);
}

/* s without leading zeros */
static const char *hex_trim(const char *s)
{
	while (*s == '0' && s[1] != '\0')
		s++;
	return s;
}

CaEntry *ca_index_find_serial(CaIndex *ix, const char *serial)
{
	for (size_t i = 0; i < ix->n; i++)
		if (strcasecmp(hex_trim(ix->v[i].serial), hex_trim(serial)) == 0)
			return &ix->v[i];
	return NULL;
}

char *ca_file_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap + 1);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

bool ca_file_write(const char *path, const char *data, size_t len, unsigned mode)
{
	size_t plen = strlen(path) + 16;
	char *tmp = xmalloc(plen);
	int fd, saved;
	size_t off = 0;

	snprintf(tmp, plen, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		free(tmp);
		return false;
	}
	if (fchmod(fd, (mode_t)mode) != 0)
		goto fail;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	saved = close(fd);
	fd = -1;
	if (saved != 0)
		goto fail;
	if (rename(tmp, path) != 0)
		goto fail;
	free(tmp);
	return true;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	errno = saved;
	return false;
}

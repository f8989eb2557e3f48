/* SPDX-License-Identifier: Apache-2.0 */
/*
 * receipt_save.c: receipt_save() (receipt.h), the one place that writes a
 * receipt out: as files in the receipt directory (text and ESC/POS, each
 * written to "<name>.tmp", fsync'd and renamed over "<name>") and as
 * ESC/POS bytes appended to the printer (a file or a device path), so
 * that the screen and the script mode keep the same files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "receipt.h"

#define RECEIPT_NAME_MAX 47		/* a receipt number, as TILL_RECEIPT_LEN - 1 */

static bool name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > RECEIPT_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

/* Write all len bytes to fd; false with errno set. */
static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* dir/name holds exactly buf afterwards, or it is as it was; false with err. */
static bool put_file(const char *dir, const char *name, const void *buf, size_t len, char *err,
		     size_t errlen)
{
	char path[4096], tmp[4096 + 8];
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, _("could not write the receipt %s: %s"), tmp,
			 strerror(errno));
		return false;
	}
	ok = write_all(fd, buf, len) && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	ok = ok && rename(tmp, path) == 0;
	if (!ok) {
		snprintf(err, errlen, _("could not write the receipt %s: %s"), path,
			 strerror(errno));
		(void)unlink(tmp);
	}
	return ok;
}

static bool put_printer(const char *printer, const unsigned char *buf, size_t len, char *err,
			size_t errlen)
{
	int fd = open(printer, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	bool ok;

	if (fd < 0) {
		snprintf(err, errlen, _("could not print on %s: %s"), printer, strerror(errno));
		return false;
	}
	ok = write_all(fd, buf, len);
	ok = close(fd) == 0 && ok;
	if (!ok)
		snprintf(err, errlen, _("could not print on %s: %s"), printer, strerror(errno));
	return ok;
}

bool receipt_save(const ReceiptInfo *r, const char *dir, const char *printer,
		  ReceiptEncoding enc, char *err, size_t errlen)
{
	const char *no = r == NULL ? NULL : r->receipt_no ? r->receipt_no :
			 r->txn ? r->txn->receipt_no : NULL;
	char name[RECEIPT_NAME_MAX + 16], *text = NULL;
	unsigned char *esc = NULL;
	size_t esclen = 0;
	bool ok = false;

	if (dir == NULL && printer == NULL)
		return true;
	if (!name_ok(no)) {
		snprintf(err, errlen, _("the receipt number \"%s\" cannot name a file"),
			 no ? no : "");
		return false;
	}
	text = receipt_text(r, RECEIPT_COLUMNS);
	if (text == NULL || !receipt_escpos(r, enc, &esc, &esclen)) {
		snprintf(err, errlen, "%s", _("the receipt could not be made (out of memory)"));
		goto out;
	}
	if (dir != NULL) {
		snprintf(name, sizeof(name), "%s%s.txt", no, r->reprint ? "-copy" : "");
		if (!put_file(dir, name, text, strlen(text), err, errlen))
			goto out;
		snprintf(name, sizeof(name), "%s%s.escpos", no, r->reprint ? "-copy" : "");
		if (!put_file(dir, name, esc, esclen, err, errlen))
			goto out;
	}
	ok = printer == NULL || put_printer(printer, esc, esclen, err, errlen);
out:
	free(text);
	free(esc);
	return ok;
}

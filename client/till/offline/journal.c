/* SPDX-License-Identifier: Apache-2.0 */
/*
 * journal: the append-only file of offline sales (see journal.h). Reading
 * walks the file record by record: a good record is kept; a torn tail, a
 * record with a wrong checksum and bytes that are no record at all are
 * each copied into the rejected file with the reason before the journal
 * is rewritten without them. After a damaged header the walk resumes at
 * the next offset holding a good record, so one flipped byte costs one
 * record, not the rest of the day.
 */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "i18n.h"
#include "kassa.pb-c.h"

static const uint8_t journal_magic[4] = { 'K', 'J', 'R', '1' };

/* What lies at one offset of the journal file. */
typedef enum RecKind {
	REC_OK,				/* a whole record with a good checksum */
	REC_TORN,			/* the start of a record the file ends inside */
	REC_BAD_SUM,			/* a whole record whose checksum is wrong */
	REC_BAD_HEADER,			/* no record starts here */
} RecKind;

/* The checksum of a record: over its length field and its payload. */
static void record_hash(uint8_t out[32], const uint8_t lenbuf[4], const void *payload, size_t len)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, lenbuf, 4);
	crypto_generichash_update(&st, payload, len);
	crypto_generichash_final(&st, out, 32);
}

void journal_encode(uint8_t *out, const void *payload, size_t len)
{
	memcpy(out, journal_magic, 4);
	store_be32(out + 4, (uint32_t)len);
	record_hash(out + 8, out + 4, payload, len);
	if (len > 0)
		memcpy(out + JOURNAL_HEADER, payload, len);
}

/* Classify the bytes at b[pos..size); *len is the payload length of a record. */
static RecKind record_at(const uint8_t *b, size_t size, size_t pos, size_t *len)
{
	size_t rem = size - pos;
	uint8_t hash[32];

	*len = 0;
	if (rem < JOURNAL_HEADER) {
		size_t m = rem < 4 ? rem : 4;

		return memcmp(b + pos, journal_magic, m) == 0 ? REC_TORN : REC_BAD_HEADER;
	}
	if (memcmp(b + pos, journal_magic, 4) != 0)
		return REC_BAD_HEADER;
	*len = load_be32(b + pos + 4);
	if (*len > JOURNAL_MAX_RECORD)
		return REC_BAD_HEADER;
	if (*len > rem - JOURNAL_HEADER)
		return REC_TORN;
	record_hash(hash, b + pos + 4, b + pos + JOURNAL_HEADER, *len);
	if (sodium_memcmp(hash, b + pos + 8, 32) != 0)
		return REC_BAD_SUM;
	return REC_OK;
}

/* The next offset after pos where a good record starts; size if none. */
static size_t resync(const uint8_t *b, size_t size, size_t pos)
{
	size_t q, len;

	for (q = pos + 1; q + 4 <= size; q++)
		if (memcmp(b + q, journal_magic, 4) == 0 && record_at(b, size, q, &len) == REC_OK)
			return q;
	return size;
}

static void recs_push(Journal *j, const uint8_t *data, size_t len)
{
	JournalRecord *r;

	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 64;
		j->recs = xrealloc(j->recs, j->cap * sizeof(*j->recs));
	}
	r = &j->recs[j->n++];
	r->data = xmalloc(len ? len : 1);
	if (len > 0)
		memcpy(r->data, data, len);
	r->len = len;
}

/* Receipt number and key of a payload that decodes as a Checkout request. */
static void describe_payload(json_t *o, const void *payload, size_t len)
{
	Kassa__V1__Request *req = kassa__v1__request__unpack(NULL, len, payload);

	if (req == NULL)
		return;
	if (req->idempotency_key != NULL && req->idempotency_key[0] != '\0')
		json_object_set_new(o, "idempotency_key", json_string(req->idempotency_key));
	if (req->body_case == KASSA__V1__REQUEST__BODY_CHECKOUT) {
		json_object_set_new(o, "receipt_no", json_string(req->checkout->receipt_no));
		json_object_set_new(o, "sold_at", json_string(req->checkout->sold_at));
		json_object_set_new(o, "sold_by", json_integer(req->checkout->sold_by));
	} else if (req->body_case == KASSA__V1__REQUEST__BODY_FEEDBACK) {
		json_object_set_new(o, "kind", json_string("feedback"));
		json_object_set_new(o, "receipt_no", json_string(req->feedback->receipt_no));
		json_object_set_new(o, "txn_id", json_integer(req->feedback->txn_id));
		json_object_set_new(o, "rating", json_integer(req->feedback->rating));
	}
	kassa__v1__request__free_unpacked(req, NULL);
}

bool journal_reject(Journal *j, const void *payload, size_t len, const char *detail,
		    const char *message, char *err, size_t errlen)
{
	char path[STATE_PATH_MAX], at[32];
	size_t b64len = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = xmalloc(b64len), *line;
	json_t *o = json_object();
	bool ok = false;
	int fd;

	state_now_rfc3339(at);
	sodium_bin2base64(b64, b64len, payload, len, sodium_base64_VARIANT_ORIGINAL);
	json_object_set_new(o, "at", json_string(at));
	json_object_set_new(o, "detail", json_string(detail != NULL ? detail : ""));
	json_object_set_new(o, "message", json_string(message != NULL ? message : ""));
	describe_payload(o, payload, len);
	json_object_set_new(o, "bytes", json_integer((json_int_t)len));
	json_object_set_new(o, "record", json_string(b64));
	free(b64);
	line = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (line == NULL || !state_path(path, sizeof(path), j->dir, JOURNAL_REJECTED_FILE)) {
		snprintf(err, errlen, "could not describe a rejected record");
		free(line);
		return false;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		struct stat st;

		st.st_size = -1;	/* not known: nothing to cut back to */
		ok = fstat(fd, &st) == 0 && state_write_all(fd, line, strlen(line)) &&
		     state_write_all(fd, "\n", 1) && fsync(fd) == 0;
		if (!ok) {
			int e = errno;

			/*
			 * No half line may stay: the next one would be glued to it
			 * and both be unreadable. The record stays in the journal.
			 */
			if (st.st_size >= 0 && (ftruncate(fd, st.st_size) != 0 || fsync(fd) != 0))
				fprintf(stderr, "kassa-till: could not cut %s back: %s\n", path,
					strerror(errno));
			errno = e;
		}
		close(fd);
		ok = ok && state_sync_dir(j->dir);
	}
	if (!ok)
		snprintf(err, errlen, _("could not write %s: %s"), path, strerror(errno));
	else
		j->rejected++;
	free(line);
	return ok;
}

/* Set b[from..to) aside with reason; count it. */
static bool set_aside(Journal *j, const uint8_t *b, size_t from, size_t to, const char *detail,
		      const char *message, char *err, size_t errlen)
{
	j->set_aside++;
	return journal_reject(j, b + from, to - from, detail, message, err, errlen);
}

/* Walk the file b[0..size): keep good records, set the rest aside. */
static bool journal_parse(Journal *j, const uint8_t *b, size_t size, char *err, size_t errlen)
{
	size_t pos = 0, len, next;

	while (pos < size) {
		switch (record_at(b, size, pos, &len)) {
		case REC_OK:
			recs_push(j, b + pos + JOURNAL_HEADER, len);
			pos += JOURNAL_HEADER + len;
			continue;
		case REC_TORN:
			/* a good record further on: the length is damaged, not torn */
			if (resync(b, size, pos) < size)
				break;
			/* the last write never finished: that sale was not completed */
			j->torn++;
			if (!set_aside(j, b, pos, size, "JOURNAL_TORN_RECORD",
				       _("incomplete last record (the till stopped while writing it)"),
				       err, errlen))
				return false;
			pos = size;
			continue;
		case REC_BAD_SUM:
			next = pos + JOURNAL_HEADER + len;
			if (next == size || record_at(b, size, next, &len) != REC_BAD_HEADER) {
				if (!set_aside(j, b, pos, next, "JOURNAL_CHECKSUM_MISMATCH",
					       _("journal record damaged (checksum mismatch)"), err,
					       errlen))
					return false;
				pos = next;
				continue;
			}
			break;	/* the length itself is damaged: resynchronise */
		case REC_BAD_HEADER:
			break;
		}
		next = resync(b, size, pos);
		if (!set_aside(j, b, pos, next, "JOURNAL_UNREADABLE",
			       _("unreadable bytes in the journal"), err, errlen))
			return false;
		pos = next;
	}
	return true;
}

/* Count the lines of the rejected file. */
static int count_rejected(const char *dir)
{
	uint8_t *buf;
	size_t len, i;
	char err[256];
	int n = 0;

	if (state_read(dir, JOURNAL_REJECTED_FILE, &buf, &len, err, sizeof(err)) != STATE_READ_OK)
		return 0;
	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	free(buf);
	return n;
}

/* (Re)open the journal file for appending. */
static bool journal_open_fd(Journal *j, char *err, size_t errlen)
{
	char path[STATE_PATH_MAX];

	if (!state_path(path, sizeof(path), j->dir, JOURNAL_FILE)) {
		snprintf(err, errlen, "path too long: %s", j->dir);
		return false;
	}
	if (j->fd >= 0)
		close(j->fd);
	j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (j->fd < 0 || !state_sync_dir(j->dir)) {
		snprintf(err, errlen, "could not open %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

Journal *journal_open(const char *dir, char *err, size_t errlen)
{
	Journal *j = xcalloc(1, sizeof(*j));
	uint8_t *buf = NULL;
	size_t len = 0;
	bool ok;

	j->fd = -1;
	if (!safe_strcpy(j->dir, sizeof(j->dir), dir)) {
		snprintf(err, errlen, "state directory path too long");
		goto fail;
	}
	j->rejected = count_rejected(dir);
	switch (state_read(dir, JOURNAL_FILE, &buf, &len, err, errlen)) {
	case STATE_READ_OK:
	case STATE_READ_MISSING:
		break;
	default:
		goto fail;
	}
	ok = journal_parse(j, buf, len, err, errlen);
	free(buf);
	if (!ok)
		goto fail;
	if (j->set_aside > 0) {
		bool *done = xcalloc(j->n ? j->n : 1, sizeof(*done));

		fprintf(stderr, _("kassa-till: warning: %d damaged journal entries set aside in %s/%s\n"),
			j->set_aside, dir, JOURNAL_REJECTED_FILE);
		ok = journal_compact(j, done, err, errlen);
		free(done);
		if (!ok)
			goto fail;
	} else if (!journal_open_fd(j, err, errlen)) {
		goto fail;
	}
	return j;
fail:
	journal_close(j);
	return NULL;
}

void journal_close(Journal *j)
{
	size_t i;

	if (j == NULL)
		return;
	if (j->fd >= 0)
		close(j->fd);
	for (i = 0; i < j->n; i++)
		free(j->recs[i].data);
	free(j->recs);
	free(j);
}

bool journal_append(Journal *j, const void *payload, size_t len, char *err, size_t errlen)
{
	struct stat st;
	uint8_t *rec;
	bool ok;

	if (len > JOURNAL_MAX_RECORD || j->n >= JOURNAL_MAX_RECORDS) {
		snprintf(err, errlen, "%s", _("the offline journal is full"));
		return false;
	}
	if (fstat(j->fd, &st) != 0) {
		snprintf(err, errlen, _("could not write the journal: %s"), strerror(errno));
		return false;
	}
	rec = xmalloc(JOURNAL_HEADER + len);
	journal_encode(rec, payload, len);
	ok = state_write_all(j->fd, rec, JOURNAL_HEADER + len) && fsync(j->fd) == 0;
	free(rec);
	if (!ok) {
		snprintf(err, errlen, _("could not write the journal: %s"), strerror(errno));
		/* no half record may stay behind a good one */
		if (ftruncate(j->fd, st.st_size) != 0 || fsync(j->fd) != 0)
			fprintf(stderr, "kassa-till: could not cut the journal back: %s\n",
				strerror(errno));
		return false;
	}
	recs_push(j, payload, len);
	return true;
}

bool journal_compact(Journal *j, const bool *done, char *err, size_t errlen)
{
	size_t i, total = 0, off = 0, kept = 0;
	uint8_t *buf;
	bool ok;

	for (i = 0; i < j->n; i++)
		if (!done[i])
			total += JOURNAL_HEADER + j->recs[i].len;
	buf = xmalloc(total ? total : 1);
	for (i = 0; i < j->n; i++) {
		if (done[i])
			continue;
		journal_encode(buf + off, j->recs[i].data, j->recs[i].len);
		off += JOURNAL_HEADER + j->recs[i].len;
	}
	ok = state_write_atomic(j->dir, JOURNAL_FILE, buf, total, err, errlen);
	free(buf);
	if (!ok)
		return false;
	for (i = 0; i < j->n; i++) {
		if (done[i])
			free(j->recs[i].data);
		else
			j->recs[kept++] = j->recs[i];
	}
	j->n = kept;
	/* the rename put a new file in place: append to that one */
	return journal_open_fd(j, err, errlen);
}

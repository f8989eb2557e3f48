/* SPDX-License-Identifier: Apache-2.0 */
/*
 * statefile: the files of the till's state directory, written so that a
 * kill -9 or a power loss leaves either the old or the new contents: a
 * temporary file next to the target, fsync, rename over the target, fsync
 * of the directory. A "sealed" file also carries a checksum (libsodium
 * crypto_generichash) of its contents, so a damaged file is recognised on
 * reading instead of being half-believed. session.c (identity, receipt
 * counter, PIN verifiers), cache.c and journal.c use these; nothing here
 * knows what the bytes mean.
 */
#ifndef KASSA_TILL_STATEFILE_H
#define KASSA_TILL_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define STATE_PATH_MAX 4096			/* a path inside the state directory */
#define STATE_FILE_MAX (256u * 1024u * 1024u)	/* largest state file read back */

/* What reading a state file found. */
typedef enum StateRead {
	STATE_READ_OK = 0,		/* *buf holds the contents */
	STATE_READ_MISSING,		/* no such file (a fresh state directory) */
	STATE_READ_CORRUPT,		/* sealed file with a bad header or checksum */
	STATE_READ_ERROR,		/* could not be read (err says why) */
} StateRead;

/* dir + "/" + name into out; false when it does not fit. */
MUSTCHECK bool state_path(char *out, size_t outlen, const char *dir, const char *name);

/* fsync the directory dir (after a rename or a create in it). */
MUSTCHECK bool state_sync_dir(const char *dir);

/*
 * fsync the directory that holds path (after path was created in it, as
 * a directory is by mkdir), so the new entry survives a power loss.
 */
MUSTCHECK bool state_sync_parent(const char *path);

/*
 * Replace dir/name with buf[0..len) atomically (temp file, fsync, rename,
 * fsync dir); mode 0600. False with err filled on failure; the old file is
 * then untouched.
 */
MUSTCHECK bool state_write_atomic(const char *dir, const char *name, const void *buf,
				  size_t len, char *err, size_t errlen);

/* Read dir/name whole into *buf (owned, NUL-terminated beyond *len). */
StateRead state_read(const char *dir, const char *name, uint8_t **buf, size_t *len,
		     char *err, size_t errlen);

/* state_write_atomic() of buf sealed with a magic word and a checksum. */
MUSTCHECK bool state_write_sealed(const char *dir, const char *name, const char magic[4],
				  const void *buf, size_t len, char *err, size_t errlen);

/* state_read() of a sealed file: *buf is the contents without the seal. */
StateRead state_read_sealed(const char *dir, const char *name, const char magic[4],
			    uint8_t **buf, size_t *len, char *err, size_t errlen);

/* Write all of buf to fd (retrying short writes and EINTR). */
MUSTCHECK bool state_write_all(int fd, const void *buf, size_t len);

/* The current time as RFC 3339 UTC ("2026-12-01T19:10:06Z") in out[32]. */
void state_now_rfc3339(char out[32]);

#endif

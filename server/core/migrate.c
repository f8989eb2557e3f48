/* SPDX-License-Identifier: Apache-2.0 */
/*
 * migrate.c: `kassad migrate`. Applies the numbered SQL files of the
 * migrations directory (NNNN_name.sql) in order, each in its own
 * transaction together with its row in schema_migrations (version, name,
 * SHA-256 checksum). A file that was applied and has since been edited is
 * refused: schema history is append-only. An advisory lock keeps two
 * kassad processes from migrating at once. This runs before any event
 * loop exists, so it uses plain blocking libpq.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "log.h"
#include "core.h"

#define MIGRATE_LOCK_KEY "4242001"
#define MIGRATE_MAX_FILES 1000

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_migration_name(const char *n)
{
	size_t len = strlen(n);

	return len > 9 && strspn(n, "0123456789") == 4 && n[4] == '_' &&
	       strcmp(n + len - 4, ".sql") == 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = xmalloc((size_t)n + 1);
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

static bool exec_ok(PGconn *pg, const char *sql, const char *what)
{
	PGresult *r = PQexec(pg, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		log_error("could not %s: %s", what, PQerrorMessage(pg));
	PQclear(r);
	return ok;
}

/* Apply one file unless recorded; false on error or checksum mismatch. */
static bool migrate_one(PGconn *pg, const char *dir, const char *name)
{
	char path[4096], version[8], hex[65];
	unsigned char sum[crypto_hash_sha256_BYTES];
	size_t len = 0;
	char *sql;
	PGresult *r;
	bool ok = false;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	sql = read_file(path, &len);
	if (sql == NULL) {
		log_error("could not read migration \"%s\": %m", path);
		return false;
	}
	crypto_hash_sha256(sum, (const unsigned char *)sql, len);
	sodium_bin2hex(hex, sizeof(hex), sum, sizeof(sum));
	memcpy(version, name, 4);
	version[4] = '\0';

	const char *params[3] = { version, name, hex };
	r = PQexecParams(pg, "SELECT checksum FROM schema_migrations WHERE version = $1::int",
			 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("could not read schema_migrations: %s", PQerrorMessage(pg));
		goto out;
	}
	if (PQntuples(r) == 1) {
		ok = strcmp(PQgetvalue(r, 0, 0), hex) == 0;
		if (!ok)
			log_error("migration %s was changed after it was applied (checksum %s, "
				  "recorded %s); write a new migration instead", name, hex,
				  PQgetvalue(r, 0, 0));
		goto out;
	}
	PQclear(r);
	r = NULL;
	if (!exec_ok(pg, "BEGIN", "begin a migration"))
		goto out;
	if (!exec_ok(pg, sql, name)) {
		exec_ok(pg, "ROLLBACK", "roll back");
		goto out;
	}
	r = PQexecParams(pg, "INSERT INTO schema_migrations (version, name, checksum)"
			 " VALUES ($1::int, $2, $3)", 3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		log_error("could not record migration %s: %s", name, PQerrorMessage(pg));
		exec_ok(pg, "ROLLBACK", "roll back");
		goto out;
	}
	ok = exec_ok(pg, "COMMIT", "commit a migration");
	if (ok)
		log_info("applied migration %s", name);
out:
	PQclear(r);
	free(sql);
	return ok;
}

bool migrate_run(const char *conninfo, const char *dir)
{
	PGconn *pg = PQconnectdb(conninfo);
	DIR *d = NULL;
	char *names[MIGRATE_MAX_FILES];
	int n = 0;
	bool ok = false;
	struct dirent *e;

	if (PQstatus(pg) != CONNECTION_OK) {
		log_error("could not connect to the database: %s", PQerrorMessage(pg));
		goto out;
	}
	if (!exec_ok(pg, "SET client_min_messages = warning", "set messages") ||
	    !exec_ok(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", "take the migration lock") ||
	    !exec_ok(pg, "CREATE TABLE IF NOT EXISTS schema_migrations ("
		     " version integer PRIMARY KEY, name text NOT NULL,"
		     " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
		     "create schema_migrations"))
		goto out;
	d = opendir(dir);
	if (d == NULL) {
		log_error("could not open migrations directory \"%s\": %m", dir);
		goto out;
	}
	while ((e = readdir(d)) != NULL && n < MIGRATE_MAX_FILES)
		if (is_migration_name(e->d_name))
			names[n++] = xstrdup(e->d_name);
	qsort(names, (size_t)n, sizeof(char *), name_cmp);
	ok = true;
	for (int i = 0; i < n && ok; i++) {
		if (i > 0 && strncmp(names[i], names[i - 1], 4) == 0) {
			log_error("two migrations share number %.4s", names[i]);
			ok = false;
			break;
		}
		ok = migrate_one(pg, dir, names[i]);
	}
	if (ok)
		log_info("database schema is up to date (%d migrations)", n);
out:
	for (int i = 0; i < n; i++)
		free(names[i]);
	if (d)
		closedir(d);
	PQfinish(pg);
	return ok;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * migrate.c: `kassad migrate`, and the check kassad makes before it serves.
 *
 * The migrations directory holds two kinds of SQL:
 *
 *   NNNN_name.sql    the schema: tables, indexes, data back-fills. Applied in
 *                    order, each once, in its own transaction together with
 *                    its row in schema_migrations (version, name, SHA-256
 *                    checksum). A file that was applied and has since been
 *                    edited is refused: schema history is append-only. The
 *                    one way out is superseded.txt, lines "NNNN_name.sql OLD
 *                    NEW": a recorded checksum OLD that those lines lead to
 *                    the file's current checksum is accepted and NEW is
 *                    recorded (how 0002-0007 gave their functions to
 *                    functions/ without breaking databases that had them).
 *   functions/X.sql  every SQL function and view kassad calls, named kassa_*,
 *                    each defined once. schema_functions records each file's
 *                    checksum. When any file is new, changed or gone, or a
 *                    numbered migration was applied in this run, one
 *                    transaction drops every kassa_* view and function of
 *                    the schema and runs every file in name order, so no
 *                    function that was removed or whose signature changed
 *                    lingers, and a failing file leaves the old ones in place.
 *
 * Numbered migrations therefore never call or depend on kassa_* functions:
 * those are re-created after them (a dependent object makes the drop fail,
 * and migrate says so). migrate_check() compares the function files on disk
 * with schema_functions so that kassad refuses to serve a database they do
 * not match. An advisory lock keeps two kassad processes from migrating at
 * once. All of this runs before any event loop exists, so it uses plain
 * blocking libpq.
 */
#include <errno.h>
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
#define MIGRATE_FUNCTIONS_DIR "functions"
#define MIGRATE_SUPERSEDED "superseded.txt"
#define MIGRATE_CHAIN_MAX 64		/* superseded.txt steps followed at most */
#define MIGRATE_CHECK_TIMEOUT "5"	/* seconds the start-up check may wait */

/* One SQL file read from disk. */
typedef struct SqlFile {
	char *name;			/* file name without directory, owned */
	char *sql;			/* its whole text, NUL-terminated, owned */
	size_t len;			/* bytes of sql */
	char hex[65];			/* SHA-256 of sql in lower-case hex */
} SqlFile;

/* The SQL files of one directory, sorted by name (strcmp). */
typedef struct SqlDir {
	SqlFile *files;			/* owned, n of them */
	int n;				/* files read */
} SqlDir;

/* Drop every kassa_* view and function (and procedure) of the current
 * schema, each kind in one statement so that they may depend on each other.
 * No CASCADE: something of the numbered schema that depends on one of them
 * makes this fail rather than vanish. */
static const char drop_kassa_sql[] =
	"DO $kassa$\n"
	"DECLARE\n"
	"\tv_list\ttext;\n"
	"BEGIN\n"
	"\tSELECT string_agg(c.oid::regclass::text, ', ') INTO v_list FROM pg_class c\n"
	"\tWHERE c.relkind = 'v' AND c.relnamespace = current_schema()::regnamespace\n"
	"\t  AND c.relname LIKE 'kassa\\_%';\n"
	"\tIF v_list IS NOT NULL THEN\n"
	"\t\tEXECUTE 'DROP VIEW ' || v_list;\n"
	"\tEND IF;\n"
	"\tSELECT string_agg(p.oid::regprocedure::text, ', ') INTO v_list FROM pg_proc p\n"
	"\tWHERE p.prokind IN ('f', 'p') AND p.pronamespace = current_schema()::regnamespace\n"
	"\t  AND p.proname LIKE 'kassa\\_%';\n"
	"\tIF v_list IS NOT NULL THEN\n"
	"\t\tEXECUTE 'DROP ROUTINE ' || v_list;\n"
	"\tEND IF;\n"
	"END\n"
	"$kassa$";

static int file_cmp(const void *a, const void *b)
{
	return strcmp(((const SqlFile *)a)->name, ((const SqlFile *)b)->name);
}

static bool is_migration_name(const char *n)
{
	size_t len = strlen(n);

	return len > 9 && strspn(n, "0123456789") == 4 && n[4] == '_' &&
	       strcmp(n + len - 4, ".sql") == 0;
}

static bool is_function_file_name(const char *n)
{
	size_t len = strlen(n);

	return len > 4 && n[0] != '.' && strcmp(n + len - 4, ".sql") == 0;
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

static void sqldir_free(SqlDir *d)
{
	for (int i = 0; i < d->n; i++) {
		free(d->files[i].name);
		free(d->files[i].sql);
	}
	free(d->files);
	d->files = NULL;
	d->n = 0;
}

/*
 * Read every file of dir whose name passes keep(), in name order, with its
 * checksum. A directory that does not exist sets *missing (if missing is
 * not NULL) and is not an error. False (logged) if dir or a file cannot be
 * read; d is then empty.
 */
static bool sqldir_load(const char *dir, bool (*keep)(const char *), SqlDir *d, bool *missing)
{
	unsigned char sum[crypto_hash_sha256_BYTES];
	char path[4096];
	struct dirent *e;
	DIR *dh;
	bool ok = true;

	d->files = xcalloc(MIGRATE_MAX_FILES, sizeof(SqlFile));
	d->n = 0;
	if (missing)
		*missing = false;
	dh = opendir(dir);
	if (dh == NULL) {
		if (errno == ENOENT && missing) {
			*missing = true;
			return true;
		}
		log_error("could not open migrations directory \"%s\": %m", dir);
		sqldir_free(d);
		return false;
	}
	while ((e = readdir(dh)) != NULL && ok) {
		if (!keep(e->d_name))
			continue;
		if (d->n == MIGRATE_MAX_FILES) {
			log_error("could not read \"%s\": more than %d SQL files", dir,
				  MIGRATE_MAX_FILES);
			ok = false;
		} else {
			d->files[d->n++].name = xstrdup(e->d_name);
		}
	}
	closedir(dh);
	qsort(d->files, (size_t)d->n, sizeof(SqlFile), file_cmp);
	for (int i = 0; i < d->n && ok; i++) {
		SqlFile *f = &d->files[i];

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, f->name) >= sizeof(path)) {
			log_error("could not read migration \"%s/%s\": path too long", dir, f->name);
			ok = false;
			break;
		}
		f->sql = read_file(path, &f->len);
		if (f->sql == NULL) {
			log_error("could not read migration \"%s\": %m", path);
			ok = false;
			break;
		}
		crypto_hash_sha256(sum, (const unsigned char *)f->sql, f->len);
		sodium_bin2hex(f->hex, sizeof(f->hex), sum, sizeof(sum));
	}
	if (!ok)
		sqldir_free(d);
	return ok;
}

static bool exec_ok(PGconn *pg, const char *sql, const char *what)
{
	PGresult *r = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(r);
	/* a file of comments only is an empty query, and applies fine */
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;

	if (!ok)
		log_error("could not %s: %s", what, PQerrorMessage(pg));
	PQclear(r);
	return ok;
}

static bool exec_params_ok(PGconn *pg, const char *sql, int n, const char *const *params,
			   const char *what)
{
	PGresult *r = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok)
		log_error("could not %s: %s", what, PQerrorMessage(pg));
	PQclear(r);
	return ok;
}

/*
 * Whether the "name old new" lines of superseded.txt (text; NULL: no such
 * file) lead from checksum from to checksum to for migration name, in one
 * or more steps. Comments (#) and blank lines are skipped.
 */
static bool superseded_reaches(const char *text, const char *name, const char *from,
			       const char *to)
{
	char cur[65], f[256], a[65], b[65], line[512];

	if (text == NULL || !safe_strcpy(cur, sizeof(cur), from))
		return false;
	for (int step = 0; step < MIGRATE_CHAIN_MAX; step++) {
		const char *p = text;
		bool moved = false;

		while (*p && !moved) {
			size_t len = strcspn(p, "\n");

			if (len < sizeof(line)) {
				memcpy(line, p, len);
				line[len] = '\0';
				if (line[0] != '#' && sscanf(line, "%255s %64s %64s", f, a, b) == 3 &&
				    strcmp(f, name) == 0 && strcmp(a, cur) == 0) {
					memcpy(cur, b, sizeof(cur));
					moved = true;
				}
			}
			p += len + (p[len] == '\n');
		}
		if (!moved)
			return false;
		if (strcmp(cur, to) == 0)
			return true;
	}
	return false;
}

/* Apply one numbered migration unless recorded; false on error or a checksum
 * that neither matches nor is superseded by the file's. Counts *applied. */
static bool migrate_one(PGconn *pg, const SqlFile *f, const char *superseded, int *applied)
{
	char version[8], what[300];
	PGresult *r;
	bool ok = false;

	memcpy(version, f->name, 4);
	version[4] = '\0';

	const char *params[3] = { version, f->name, f->hex };
	r = PQexecParams(pg, "SELECT checksum FROM schema_migrations WHERE version = $1::int",
			 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("could not read schema_migrations: %s", PQerrorMessage(pg));
		goto out;
	}
	if (PQntuples(r) == 1) {
		const char *rec = PQgetvalue(r, 0, 0);
		const char *up[3] = { version, f->hex, rec };

		if (strcmp(rec, f->hex) == 0) {
			ok = true;
		} else if (superseded_reaches(superseded, f->name, rec, f->hex)) {
			ok = exec_params_ok(pg, "UPDATE schema_migrations SET checksum = $2"
					    " WHERE version = $1::int AND checksum = $3", 3, up,
					    "record a superseded checksum");
			if (ok)
				log_info("migration %s: recorded checksum %.12s is superseded by "
					 "%.12s (" MIGRATE_SUPERSEDED ")", f->name, rec, f->hex);
		} else {
			log_error("migration %s was changed after it was applied (checksum %s, "
				  "recorded %s); write a new migration instead", f->name, f->hex,
				  rec);
		}
		goto out;
	}
	snprintf(what, sizeof(what), "apply migration %s", f->name);
	if (!exec_ok(pg, "BEGIN", "begin a migration"))
		goto out;
	if (!exec_ok(pg, f->sql, what) ||
	    !exec_params_ok(pg, "INSERT INTO schema_migrations (version, name, checksum)"
			    " VALUES ($1::int, $2, $3)", 3, params, "record the migration")) {
		exec_ok(pg, "ROLLBACK", "roll back");
		goto out;
	}
	ok = exec_ok(pg, "COMMIT", "commit a migration");
	if (ok) {
		log_info("applied migration %s", f->name);
		(*applied)++;
	}
out:
	PQclear(r);
	return ok;
}

/* The checksum schema_functions (rows of file, checksum) records for name. */
static const char *recorded_sum(PGresult *rec, const char *name)
{
	for (int i = 0; i < PQntuples(rec); i++)
		if (strcmp(PQgetvalue(rec, i, 0), name) == 0)
			return PQgetvalue(rec, i, 1);
	return NULL;
}

/* Whether the recorded rows match the files exactly; log_changes names each
 * file that is new, changed or gone. */
static bool functions_match(PGresult *rec, const SqlDir *fd, bool log_changes)
{
	bool same = PQntuples(rec) == fd->n;

	for (int i = 0; i < fd->n; i++) {
		const char *was = recorded_sum(rec, fd->files[i].name);

		if (was != NULL && strcmp(was, fd->files[i].hex) == 0)
			continue;
		same = false;
		if (log_changes)
			log_info("function file %s is %s", fd->files[i].name,
				 was ? "changed" : "new");
	}
	for (int i = 0; i < PQntuples(rec) && log_changes; i++) {
		bool found = false;

		for (int j = 0; j < fd->n && !found; j++)
			found = strcmp(fd->files[j].name, PQgetvalue(rec, i, 0)) == 0;
		if (!found)
			log_info("function file %s is gone", PQgetvalue(rec, i, 0));
	}
	return same;
}

/* In one transaction: drop every kassa_* view and function, run every file
 * of fd, record their checksums. */
static bool functions_recreate(PGconn *pg, const SqlDir *fd)
{
	char what[300];

	if (!exec_ok(pg, "BEGIN", "begin re-creating the SQL functions"))
		return false;
	/*
	 * The files run in name order, and a SQL-language body may call a
	 * function of a later file: check bodies when they are first called, as
	 * pg_dump's restores do (PL/pgSQL bodies are checked then anyway).
	 */
	if (!exec_ok(pg, "SET LOCAL check_function_bodies = off", "defer checking bodies"))
		goto fail;
	if (!exec_ok(pg, drop_kassa_sql, "drop the kassa_* functions and views"))
		goto fail;
	for (int i = 0; i < fd->n; i++) {
		snprintf(what, sizeof(what), "apply " MIGRATE_FUNCTIONS_DIR "/%s", fd->files[i].name);
		if (!exec_ok(pg, fd->files[i].sql, what))
			goto fail;
	}
	if (!exec_ok(pg, "DELETE FROM schema_functions", "clear schema_functions"))
		goto fail;
	for (int i = 0; i < fd->n; i++) {
		const char *params[2] = { fd->files[i].name, fd->files[i].hex };

		if (!exec_params_ok(pg, "INSERT INTO schema_functions (file, checksum)"
				    " VALUES ($1, $2)", 2, params, "record a function file"))
			goto fail;
	}
	if (!exec_ok(pg, "COMMIT", "commit the SQL functions"))
		return false;
	log_info("re-created the SQL functions from %d files", fd->n);
	return true;
fail:
	exec_ok(pg, "ROLLBACK", "roll back");
	return false;
}

/* The functions step of migrate_run(): re-create the functions when the
 * files differ from what schema_functions records, or when forced. */
static bool functions_apply(PGconn *pg, const char *dir, bool force)
{
	char path[4096];
	SqlDir fd;
	PGresult *rec = NULL;
	bool missing, same, ok = false;

	snprintf(path, sizeof(path), "%s/" MIGRATE_FUNCTIONS_DIR, dir);
	if (!sqldir_load(path, is_function_file_name, &fd, &missing))
		return false;
	if (missing) {
		log_warn("no directory \"%s\": SQL functions left as they are", path);
		ok = true;
		goto out;
	}
	if (!exec_ok(pg, "CREATE TABLE IF NOT EXISTS schema_functions ("
		     " file text PRIMARY KEY, checksum text NOT NULL,"
		     " applied_at timestamptz NOT NULL DEFAULT now())", "create schema_functions"))
		goto out;
	rec = PQexec(pg, "SELECT file, checksum FROM schema_functions");
	if (PQresultStatus(rec) != PGRES_TUPLES_OK) {
		log_error("could not read schema_functions: %s", PQerrorMessage(pg));
		goto out;
	}
	same = functions_match(rec, &fd, true);
	if (same && !force) {
		log_info("SQL functions are up to date (%d files)", fd.n);
		ok = true;
		goto out;
	}
	if (same)
		log_info("the schema changed: re-creating the SQL functions");
	ok = functions_recreate(pg, &fd);
out:
	PQclear(rec);
	sqldir_free(&fd);
	return ok;
}

/* Apply the numbered migrations of md in order; counts *applied. */
static bool migrate_numbered(PGconn *pg, const SqlDir *md, const char *superseded, int *applied)
{
	for (int i = 0; i < md->n; i++) {
		if (i > 0 && strncmp(md->files[i].name, md->files[i - 1].name, 4) == 0) {
			log_error("two migrations share number %.4s", md->files[i].name);
			return false;
		}
		if (!migrate_one(pg, &md->files[i], superseded, applied))
			return false;
	}
	log_info("database schema is up to date (%d migrations)", md->n);
	return true;
}

bool migrate_run(const char *conninfo, const char *dir)
{
	PGconn *pg = PQconnectdb(conninfo);
	SqlDir md = { NULL, 0 };
	char path[4096];
	char *superseded = NULL;
	size_t len = 0;
	int applied = 0;
	bool ok = false;

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
	if (!sqldir_load(dir, is_migration_name, &md, NULL))
		goto out;
	snprintf(path, sizeof(path), "%s/" MIGRATE_SUPERSEDED, dir);
	superseded = read_file(path, &len);	/* NULL: none */
	ok = migrate_numbered(pg, &md, superseded, &applied) &&
	     functions_apply(pg, dir, applied > 0);
out:
	free(superseded);
	if (md.files)
		sqldir_free(&md);
	PQfinish(pg);
	return ok;
}

bool migrate_check(const char *conninfo, const char *dir)
{
	/* keywords in order: the conninfo's own connect_timeout, if any, wins */
	const char *const keys[] = { "connect_timeout", "dbname", NULL };
	const char *const vals[] = { MIGRATE_CHECK_TIMEOUT, conninfo, NULL };
	char path[4096];
	SqlDir fd;
	PGconn *pg = NULL;
	PGresult *r = NULL;
	bool missing, ok = true;

	snprintf(path, sizeof(path), "%s/" MIGRATE_FUNCTIONS_DIR, dir);
	if (!sqldir_load(path, is_function_file_name, &fd, &missing))
		return true;		/* logged; the pool will tell more */
	if (missing) {
		log_warn("could not check the SQL functions: no directory \"%s\"", path);
		goto out;
	}
	pg = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(pg) != CONNECTION_OK) {
		log_warn("could not check the SQL functions: %s", PQerrorMessage(pg));
		goto out;
	}
	r = PQexec(pg, "SET statement_timeout = '" MIGRATE_CHECK_TIMEOUT "s'");
	PQclear(r);
	r = PQexec(pg, "SELECT file, checksum FROM schema_functions");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

		if (state != NULL && strcmp(state, "42P01") == 0) {	/* undefined_table */
			log_error("the database has no schema_functions: run \"kassad migrate\" "
				  "with \"%s\" first", dir);
			ok = false;
		} else {
			log_warn("could not check the SQL functions: %s", PQerrorMessage(pg));
		}
		goto out;
	}
	if (!functions_match(r, &fd, true)) {
		log_error("the database's SQL functions do not match \"%s\": run \"kassad migrate\" "
			  "first", path);
		ok = false;
	}
out:
	PQclear(r);
	PQfinish(pg);
	sqldir_free(&fd);
	return ok;
}

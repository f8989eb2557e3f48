/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kassa-ca: head office's tool for till certificates, run where the CA key
 * lives (never by kassad). It keeps the layout of scripts/gen-certs.sh: the
 * CA's ca-db/ folder next to ca.crt holds index.txt (every certificate
 * issued or revoked, ca_index.h) and crlnumber, so a CA gen-certs.sh made
 * works here and the other way round.
 *
 *	kassa-ca issue CODE --ca ca.crt --ca-key ca.key --out DIR [--days N]
 *	                    [--kind till|office]
 *	kassa-ca revoke CODE|--cert FILE --ca ca.crt --ca-key ca.key --crl crl.pem
 *	                    [--days N] [--reason R]
 *	kassa-ca crl --ca ca.crt --ca-key ca.key --crl crl.pem [--days N]
 *	kassa-ca list --ca ca.crt
 *	kassa-ca --version
 *
 * Each run prints one JSON object on stdout; a refusal is a message in the
 * user's language (--lang, else the locale) on stderr and exit code 2 with
 * nothing written; a failure on the way (a full disk) is exit code 1. After
 * revoke or crl, kassad picks the CRL up on SIGHUP (or kassa-office reload).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/bn.h>

#include "ca_index.h"
#include "ca_x509.h"
#include "i18n.h"
#include "util.h"

#define CA_DAYS_DEFAULT 825		/* a till certificate, as gen-certs.sh */
#define CA_CRL_DAYS_DEFAULT 30		/* a CRL: re-sign it (kassa-ca crl) before then */
#define CA_DAYS_MAX 3650
#define CA_CRL_FIRST "1000"		/* gen-certs.sh's first CRL number */

typedef struct CaOpts {
	const char *cmd, *code;
	const char *ca, *ca_key, *out, *crl, *cert, *kind, *reason, *lang;
	int days;			/* 0: the command's default */
} CaOpts;

/* A CA with its record open: what every command but list needs. */
typedef struct CaState {
	CaKeys keys;
	CaIndex ix;
	char db[PATH_MAX];		/* the ca-db folder */
	char index_path[PATH_MAX + 16], number_path[PATH_MAX + 16];
	char *index_text;		/* what index.txt held (to put back); NULL if none */
	int lock_fd;			/* ca-db/lock, held by the commands that write; -1 */
} CaState;

static int refuse(const CaErr *e)
{
	fprintf(stderr, "kassa-ca: %s\n", e->msg);
	return e->code;
}

static void usage(FILE *f)
{
	fprintf(f, "%s\n", _("usage:"));
	fprintf(f,
		"  kassa-ca issue CODE --ca ca.crt --ca-key ca.key --out DIR [--days N]\n"
		"                      [--kind till|office]\n"
		"  kassa-ca revoke CODE|--cert FILE --ca ca.crt --ca-key ca.key --crl crl.pem\n"
		"                      [--days N] [--reason keyCompromise|superseded|"
		"cessationOfOperation]\n"
		"  kassa-ca crl --ca ca.crt --ca-key ca.key --crl crl.pem [--days N]\n"
		"  kassa-ca list --ca ca.crt\n"
		"  [--lang zh_CN|en]\n");
	fprintf(f, "%s\n", _("issue: a till's key (0600) and certificate, CN=CODE, in DIR; "
			     "--days: its validity (825)"));
	fprintf(f, "%s\n", _("revoke, crl: rewrite the signed CRL; --days: until its next "
			     "update (30); then reload kassad (SIGHUP)"));
}

static void state_close(CaState *s)
{
	ca_keys_free(&s->keys);
	ca_index_free(&s->ix);
	free(s->index_text);
	s->index_text = NULL;
	if (s->lock_fd >= 0)
		close(s->lock_fd);	/* releases the lock */
	s->lock_fd = -1;
}

/*
 * The ca-db folder exists (made 0700 if not) and can be written; take its
 * lock (ca-db/lock, flock), held until state_close(), so that two runs
 * never lose each other's index lines.
 */
static bool db_writable(CaState *s, CaErr *e)
{
	char lock[PATH_MAX + 8];

	if (mkdir(s->db, 0700) != 0 && errno != EEXIST)
		return ca_err(e, 2, _("cannot create %s"), s->db);
	if (access(s->db, W_OK) != 0)
		return ca_err(e, 2, _("cannot write in %s"), s->db);
	snprintf(lock, sizeof(lock), "%s/lock", s->db);
	s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX) != 0)
		return ca_err(e, 2, _("cannot write in %s"), s->db);
	return true;
}

/* Open the CA and its ca-db record; need_key: the CA key must be given too. */
static bool state_open(CaState *s, const CaOpts *o, bool need_key, CaErr *e)
{
	char dir[PATH_MAX];
	size_t line;

	memset(s, 0, sizeof(*s));
	s->lock_fd = -1;
	if (o->ca == NULL || (need_key && o->ca_key == NULL))
		return ca_err(e, 2, "%s", need_key ? _("give --ca and --ca-key") : _("give --ca"));
	if (!ca_keys_load(&s->keys, o->ca, need_key ? o->ca_key : NULL, e))
		return false;
	snprintf(dir, sizeof(dir), "%s", o->ca);
	snprintf(s->db, sizeof(s->db), "%s/ca-db", dirname(dir));
	snprintf(s->index_path, sizeof(s->index_path), "%s/index.txt", s->db);
	snprintf(s->number_path, sizeof(s->number_path), "%s/crlnumber", s->db);
	/* the commands that write lock the record before they read it */
	if (need_key && !db_writable(s, e)) {
		state_close(s);
		return false;
	}
	s->index_text = ca_file_read(s->index_path);
	if (s->index_text == NULL && errno != ENOENT) {
		state_close(s);
		return ca_err(e, 2, _("cannot read %s"), s->index_path);
	}
	if (s->index_text != NULL && !ca_index_parse(&s->ix, s->index_text, &line)) {
		state_close(s);
		return ca_err(e, 2, _("%s: line %zu is not an index line"), s->index_path, line);
	}
	return true;
}


/* The folder of path can be written (the file itself may not exist yet). */
static bool dir_of_writable(const char *path, CaErr *e)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	if (access(dirname(buf), W_OK) != 0 || (access(path, F_OK) == 0 && access(path, W_OK) != 0))
		return ca_err(e, 2, _("cannot write %s"), path);
	return true;
}

/* Write the index; false (errno) on failure. */
static bool index_save(const CaState *s)
{
	char *text = ca_index_format(&s->ix);
	bool ok = ca_file_write(s->index_path, text, strlen(text), 0644);

	free(text);
	return ok;
}

static int cmd_issue(const CaOpts *o)
{
	CaState s;
	CaErr e;
	CaIssued is;
	char key_path[PATH_MAX], cert_path[PATH_MAX], iso[32], abs_cert[PATH_MAX + CA_CODE_MAX + 8];
	struct stat st;
	const char *kind = o->kind ? o->kind : "till";
	int days = o->days ? o->days : CA_DAYS_DEFAULT;
	json_t *j;

	if (o->code == NULL || !ca_code_ok(o->code))
		return ca_err(&e, 2, _("a till's code is 1 to %d letters, digits, '.', '_' or '-'"),
			      CA_CODE_MAX), refuse(&e);
	if (strcmp(kind, "till") != 0 && strcmp(kind, "office") != 0)
		return ca_err(&e, 2, "%s", _("--kind is till or office")), refuse(&e);
	if (o->out == NULL)
		return ca_err(&e, 2, "%s", _("give --out DIR")), refuse(&e);
	if (stat(o->out, &st) != 0 || !S_ISDIR(st.st_mode) || access(o->out, W_OK) != 0)
		return ca_err(&e, 2, _("cannot write in the folder %s"), o->out), refuse(&e);
	snprintf(key_path, sizeof(key_path), "%s/%s.key", o->out, o->code);
	snprintf(cert_path, sizeof(cert_path), "%s/%s.crt", o->out, o->code);
	if (access(key_path, F_OK) == 0 || access(cert_path, F_OK) == 0)
		return ca_err(&e, 2, _("%s or %s exists already; move it away first"), key_path,
			      cert_path), refuse(&e);
	if (!state_open(&s, o, true, &e))
		return refuse(&e);
	if (!ca_issue(&s.keys, &s.ix, o->code, kind, days, &is, &e)) {
		state_close(&s);
		return refuse(&e);
	}
	/* the index names the file by its absolute path, as openssl ca's does */
	ca_index_add(&s.ix, 'V', is.not_after, "", is.serial,
		     realpath(o->out, abs_cert) ? strcat(abs_cert, strrchr(cert_path, '/')) : cert_path,
		     is.subject);
	if (!ca_file_write(key_path, is.key_pem, strlen(is.key_pem), 0600) ||
	    !ca_file_write(cert_path, is.cert_pem, strlen(is.cert_pem), 0644) || !index_save(&s)) {
		ca_err(&e, 1, _("could not write the certificate: %s"), strerror(errno));
		unlink(key_path);
		unlink(cert_path);
		ca_issued_free(&is);
		state_close(&s);
		return refuse(&e);
	}
	j = json_pack("{s:b,s:s,s:s,s:s,s:s,s:s,s:s}", "ok", 1, "cmd", "issue", "code", o->code,
		      "kind", kind, "serial", is.serial, "key", key_path, "cert", cert_path);
	ca_time_iso(is.not_after, iso, sizeof(iso));
	json_object_set_new(j, "not_after", json_string(iso));
	json_dumpf(j, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(j);
	ca_issued_free(&is);
	state_close(&s);
	return 0;
}

/* The next CRL number (hex, malloc'd): crlnumber's, but above the current CRL's. */
static char *crl_number_next(const CaState *s, const char *crl_path)
{
	char *file = ca_file_read(s->number_path), *cur = ca_crl_number(&s->keys, crl_path);
	BIGNUM *a = NULL, *b = NULL;
	char *hex, *out;

	if (file != NULL)
		file[strspn(file, "0123456789ABCDEFabcdef")] = '\0';
	if (file == NULL || BN_hex2bn(&a, file) <= 0)
		BN_hex2bn(&a, CA_CRL_FIRST);
	if (cur != NULL && BN_hex2bn(&b, cur) > 0 && BN_cmp(b, a) >= 0) {
		BN_copy(a, b);
		BN_add_word(a, 1);
	}
	hex = BN_bn2hex(a);
	out = xstrdup(hex ? hex : CA_CRL_FIRST);
	OPENSSL_free(hex);
	BN_free(a);
	BN_free(b);
	free(file);
	free(cur);
	return out;
}

/*
 * Sign and write the CRL from s->ix, then the next number; on failure put
 * the index back as it was (index_changed). Prints nothing.
 */
static bool crl_write(CaState *s, const CaOpts *o, bool index_changed, char **number, CaErr *e)
{
	int days = o->days ? o->days : CA_CRL_DAYS_DEFAULT;
	char *pem = NULL, next[80];
	BIGNUM *bn = NULL;
	char *hex;

	*number = crl_number_next(s, o->crl);
	if (!ca_crl_sign(&s->keys, &s->ix, *number, days, &pem, e))
		goto undo;
	if (index_changed && !index_save(s)) {
		ca_err(e, 1, _("could not write %s: %s"), s->index_path, strerror(errno));
		goto undo;
	}
	if (!ca_file_write(o->crl, pem, strlen(pem), 0644)) {
		ca_err(e, 1, _("could not write %s: %s"), o->crl, strerror(errno));
		goto undo;
	}
	free(pem);
	BN_hex2bn(&bn, *number);
	BN_add_word(bn, 1);
	hex = BN_bn2hex(bn);
	snprintf(next, sizeof(next), "%s\n", hex ? hex : CA_CRL_FIRST);
	OPENSSL_free(hex);
	BN_free(bn);
	if (!ca_file_write(s->number_path, next, strlen(next), 0644))
		return ca_err(e, 1, _("could not write %s: %s"), s->number_path, strerror(errno));
	return true;
undo:
	free(pem);
	if (index_changed && s->index_text != NULL)
		(void)ca_file_write(s->index_path, s->index_text, strlen(s->index_text), 0644);
	else if (index_changed)
		unlink(s->index_path);
	return false;
}

/* Print {"ok":true,"cmd":cmd,...,"crl":path,"crl_number":..,"revoked":[serials]}. */
static void crl_print(const char *cmd, const CaOpts *o, const char *number, json_t *serials,
		      bool already)
{
	json_t *j = json_pack("{s:b,s:s,s:s,s:s}", "ok", 1, "cmd", cmd, "crl", o->crl,
			      "crl_number", number);

	if (serials != NULL) {
		json_object_set_new(j, "code", json_string(o->code ? o->code : ""));
		json_object_set_new(j, "revoked", serials);
		json_object_set_new(j, "already_revoked", json_boolean(already));
	}
	json_dumpf(j, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(j);
}

/* Mark entry e revoked now with reason. */
static void entry_revoke(CaEntry *e, const char *reason)
{
	char now[32], buf[96];

	ca_time_now(now, sizeof(now));
	snprintf(buf, sizeof(buf), "%s,%s", now, reason);
	free(e->revoked);
	e->revoked = xstrdup(buf);
	e->status = 'R';
}

/*
 * Revoke what o names: the certificate file --cert (added to the index if
 * it is not there, as for gen-certs.sh's), else every valid certificate of
 * CODE in the index, else CODE.crt next to the CA when this CA signed it.
 * Appends the serials revoked now to serials; *already: it was revoked before.
 */
static bool revoke_mark(CaState *s, const CaOpts *o, json_t *serials, bool *already, CaErr *e)
{
	char serial[80], subject[256], not_after[32], cn[CA_CODE_MAX + 1], path[PATH_MAX];
	const char *reason = o->reason ? o->reason : "keyCompromise";
	const char *file = o->cert;
	CaEntry *en;

	*already = false;
	if (file == NULL) {
		for (size_t i = 0; i < s->ix.n; i++)
			if (ca_subject_cn(s->ix.v[i].subject, cn, sizeof(cn)) &&
			    strcmp(cn, o->code) == 0) {
				if (s->ix.v[i].status == 'R') {
					*already = true;
					continue;
				}
				entry_revoke(&s->ix.v[i], reason);
				json_array_append_new(serials, json_string(s->ix.v[i].serial));
			}
		if (json_array_size(serials) > 0 || *already)
			return true;
		snprintf(subject, sizeof(subject), "%s", o->ca);
		snprintf(path, sizeof(path), "%s/%s.crt", dirname(subject), o->code);
		if (access(path, R_OK) != 0)
			return ca_err(e, 2, _("no certificate of %s is known to this CA"), o->code);
		file = path;
	}
	if (!ca_cert_read(&s->keys, file, serial, sizeof(serial), subject, sizeof(subject),
			  not_after, sizeof(not_after), e))
		return false;
	en = ca_index_find_serial(&s->ix, serial);
	if (en == NULL) {
		ca_index_add(&s->ix, 'V', not_after, "", serial, file, subject);
		en = &s->ix.v[s->ix.n - 1];
	}
	if (en->status == 'R') {
		*already = true;
		return true;
	}
	entry_revoke(en, reason);
	json_array_append_new(serials, json_string(en->serial));
	return true;
}

static bool reason_ok(const char *r)
{
	return r == NULL || strcmp(r, "keyCompromise") == 0 || strcmp(r, "superseded") == 0 ||
	       strcmp(r, "cessationOfOperation") == 0 || strcmp(r, "affiliationChanged") == 0 ||
	       strcmp(r, "unspecified") == 0;
}

static int cmd_revoke(const CaOpts *o)
{
	CaState s;
	CaErr e;
	json_t *serials;
	char *number = NULL;
	bool already;

	if ((o->code == NULL) == (o->cert == NULL))
		return ca_err(&e, 2, "%s", _("give a till's CODE or --cert FILE")), refuse(&e);
	if (o->code != NULL && !ca_code_ok(o->code))
		return ca_err(&e, 2, _("a till's code is 1 to %d letters, digits, '.', '_' or '-'"),
			      CA_CODE_MAX), refuse(&e);
	if (!reason_ok(o->reason))
		return ca_err(&e, 2, "%s", _("--reason is keyCompromise, superseded, "
					     "cessationOfOperation, affiliationChanged or "
					     "unspecified")), refuse(&e);
	if (o->crl == NULL)
		return ca_err(&e, 2, "%s", _("give --crl FILE")), refuse(&e);
	if (!state_open(&s, o, true, &e))
		return refuse(&e);
	serials = json_array();
	if (!dir_of_writable(o->crl, &e) || !revoke_mark(&s, o, serials, &already, &e) ||
	    !crl_write(&s, o, json_array_size(serials) > 0, &number, &e)) {
		json_decref(serials);
		free(number);
		state_close(&s);
		return refuse(&e);
	}
	crl_print("revoke", o, number, serials, already && json_array_size(serials) == 0);
	free(number);
	state_close(&s);
	return 0;
}

static int cmd_crl(const CaOpts *o)
{
	CaState s;
	CaErr e;
	char *number = NULL;

	if (o->crl == NULL)
		return ca_err(&e, 2, "%s", _("give --crl FILE")), refuse(&e);
	if (!state_open(&s, o, true, &e))
		return refuse(&e);
	if (!dir_of_writable(o->crl, &e) || !crl_write(&s, o, false, &number, &e)) {
		free(number);
		state_close(&s);
		return refuse(&e);
	}
	crl_print("crl", o, number, NULL, false);
	free(number);
	state_close(&s);
	return 0;
}

/* One index entry for list. */
static json_t *entry_json(const CaEntry *en)
{
	char cn[CA_CODE_MAX + 1], ou[64], iso[32], when[40];
	const char *comma = strchr(en->revoked, ',');
	const char *status = en->status == 'R' ? "revoked" :
			     en->status == 'E' || ca_time_past(en->not_after) ? "expired" : "valid";
	json_t *j = json_object();

	if (!ca_subject_cn(en->subject, cn, sizeof(cn)))
		cn[0] = '\0';
	ca_subject_ou(en->subject, ou, sizeof(ou));
	json_object_set_new(j, "code", json_string(cn));
	json_object_set_new(j, "ou", json_string(ou));
	json_object_set_new(j, "serial", json_string(en->serial));
	json_object_set_new(j, "status", json_string(status));
	ca_time_iso(en->not_after, iso, sizeof(iso));
	json_object_set_new(j, "not_after", json_string(iso));
	if (en->status == 'R') {
		snprintf(when, sizeof(when), "%.*s",
			 (int)(comma ? (size_t)(comma - en->revoked) : strlen(en->revoked)),
			 en->revoked);
		ca_time_iso(when, iso, sizeof(iso));
		json_object_set_new(j, "revoked_at", json_string(iso));
		json_object_set_new(j, "reason", json_string(comma ? comma + 1 : ""));
	}
	json_object_set_new(j, "file", json_string(en->file));
	return j;
}

static int cmd_list(const CaOpts *o)
{
	CaState s;
	CaErr e;
	json_t *j, *arr;

	if (!state_open(&s, o, false, &e))
		return refuse(&e);
	arr = json_array();
	for (size_t i = 0; i < s.ix.n; i++)
		json_array_append_new(arr, entry_json(&s.ix.v[i]));
	j = json_pack("{s:b,s:s,s:o}", "ok", 1, "cmd", "list", "certificates", arr);
	json_dumpf(j, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(j);
	state_close(&s);
	return 0;
}

/* --days N: 1 to CA_DAYS_MAX. */
static bool days_parse(const char *s, int *days)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > CA_DAYS_MAX)
		return false;
	*days = (int)v;
	return true;
}

/* The options into o; false (usage printed) on a bad one. */
static bool opts_parse(int argc, char **argv, CaOpts *o, bool *bad_days)
{
	static const struct option longopts[] = {
		{ "ca", required_argument, NULL, 'a' }, { "ca-key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' }, { "crl", required_argument, NULL, 'r' },
		{ "cert", required_argument, NULL, 'c' }, { "kind", required_argument, NULL, 't' },
		{ "days", required_argument, NULL, 'd' }, { "reason", required_argument, NULL, 'R' },
		{ "lang", required_argument, NULL, 'L' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	*bad_days = false;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': o->ca = optarg; break;
		case 'k': o->ca_key = optarg; break;
		case 'o': o->out = optarg; break;
		case 'r': o->crl = optarg; break;
		case 'c': o->cert = optarg; break;
		case 't': o->kind = optarg; break;
		case 'R': o->reason = optarg; break;
		case 'L': o->lang = optarg; break;
		case 'V': o->cmd = "--version"; return true;
		case 'd': *bad_days = *bad_days || !days_parse(optarg, &o->days); break;
		default: return false;
		}
	}
	if (optind < argc)
		o->cmd = argv[optind++];
	if (optind < argc)
		o->code = argv[optind++];
	return o->cmd != NULL && optind == argc;
}

int main(int argc, char **argv)
{
	CaOpts o;
	CaErr e;
	bool bad_days, ok = opts_parse(argc, argv, &o, &bad_days);

	if (!i18n_init(o.lang) && !i18n_init(NULL))
		fprintf(stderr, "kassa-ca: unknown --lang\n");
	if (!ok) {
		usage(stderr);
		return 2;
	}
	if (ok && strcmp(o.cmd, "--version") == 0) {
		printf("kassa-ca/%s\n", KASSA_VERSION);
		return 0;
	}
	if (bad_days)
		return ca_err(&e, 2, _("--days is 1 to %d"), CA_DAYS_MAX), refuse(&e);
	if (strcmp(o.cmd, "issue") == 0)
		return cmd_issue(&o);
	if (strcmp(o.cmd, "revoke") == 0)
		return cmd_revoke(&o);
	if (strcmp(o.cmd, "crl") == 0 && o.code == NULL)
		return cmd_crl(&o);
	if (strcmp(o.cmd, "list") == 0 && o.code == NULL)
		return cmd_list(&o);
	usage(stderr);
	return 2;
}

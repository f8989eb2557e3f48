/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session: one running till (till.h): its state directory, its connection
 * and going offline and back, who is logged in, product look-ups through
 * the cache, and receipt numbers.
 *
 * The state directory (mode 0700) holds: "identity" (store and till from
 * the last Welcome, so a till started while the server is down still
 * knows its till code), "receipt-counter" (the last receipt number used),
 * "staff-<id>" (an argon2id verifier of that cashier's PIN, made at each
 * online login, so they can log in offline), and the files of offline/
 * (journal, rejected, catalog, rates). Every file is replaced atomically
 * (statefile.h).
 *
 * Connection states: online (kc connected) -> a request fails with the
 * connection gone -> offline, next_try_ms = now + TILL_RECONNECT_MS ->
 * till_online() after that time makes one bounded attempt -> online again,
 * the cashier logged in on the new connection, and the journal replayed
 * (till_auto_sync()). A TLS or Hello refusal at start is an error, not
 * "offline": that till would never get through.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cache.h"
#include "i18n.h"
#include "journal.h"
#include "statefile.h"
#include "till.h"
#include "tillpriv.h"

#define TILL_RECEIPT_EPOCH 1767225600	/* 2026-01-01T00:00:00Z */

int64_t till_now_ms(void)
{
	return now_usec() / 1000;
}

/* ---- the state directory ---- */

/*
 * Create dir (with mode) if missing, its entry fsync'd into the parent;
 * refuse one that is not a writable directory. receipts: it is the
 * receipt directory (else the state directory), for the messages.
 */
static bool dir_ready(const char *dir, mode_t mode, bool receipts, char *err, size_t errlen)
{
	struct stat st;
	bool made;

	if (dir == NULL || *dir == '\0' || strlen(dir) > STATE_PATH_MAX - 64) {
		snprintf(err, errlen, "%s",
			 receipts ? _("the receipt directory's path is too long")
				  : _("the state directory is not set or its path is too long"));
		return false;
	}
	made = mkdir(dir, mode) == 0;
	if ((!made && errno != EEXIST) || (made && !state_sync_parent(dir))) {
		snprintf(err, errlen,
			 receipts ? _("could not create the receipt directory %s: %s")
				  : _("could not create the state directory %s: %s"),
			 dir, strerror(errno));
		return false;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
			 receipts ? _("the receipt directory %s is not a directory")
				  : _("the state directory %s is not a directory"), dir);
		return false;
	}
	if (access(dir, R_OK | W_OK | X_OK) != 0) {
		snprintf(err, errlen,
			 receipts ? _("the receipt directory %s cannot be written: %s")
				  : _("the state directory %s cannot be written: %s"),
			 dir, strerror(errno));
		return false;
	}
	return true;
}

/* Copy a Welcome text field into dst, without newlines (one line per key). */
static void copy_field(char *dst, size_t len, const char *src)
{
	size_t i;

	snprintf(dst, len, "%s", src != NULL ? src : "");
	for (i = 0; dst[i] != '\0'; i++)
		if (dst[i] == '\n' || dst[i] == '\r')
			dst[i] = ' ';
}

/* Keep the identity of the Welcome in ts and in the state dir. */
static void identity_save(TillSession *ts, const Kassa__V1__Welcome *w)
{
	char buf[1024], err[KC_ERR_LEN];
	int n;

	ts->store_id = w->store_id;
	ts->till_id = w->till_id;
	copy_field(ts->store_code, sizeof(ts->store_code), w->store_code);
	copy_field(ts->store_name, sizeof(ts->store_name), w->store_name);
	copy_field(ts->till_code, sizeof(ts->till_code), w->till_code);
	copy_field(ts->currency, sizeof(ts->currency), w->currency);
	n = snprintf(buf, sizeof(buf),
		     "store_id=%lld\ntill_id=%lld\nstore_code=%s\nstore_name=%s\ntill_code=%s\n"
		     "currency=%s\n", (long long)ts->store_id, (long long)ts->till_id,
		     ts->store_code, ts->store_name, ts->till_code, ts->currency);
	if (n < 0 || (size_t)n >= sizeof(buf) ||
	    !state_write_atomic(ts->cfg->state_dir, TILL_IDENTITY_FILE, buf, (size_t)n, err,
				sizeof(err)))
		fprintf(stderr, _("kassa-till: warning: could not keep the till identity: %s\n"), err);
}

/* The value of key= in the key=value lines of buf, copied into out. */
static void kv_get(const char *buf, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);
	const char *p = buf;

	out[0] = '\0';
	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1, *e = strchr(v, '\n');
			size_t n = e != NULL ? (size_t)(e - v) : strlen(v);

			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
}

static void identity_load(TillSession *ts)
{
	char err[KC_ERR_LEN], num[32];
	uint8_t *buf;
	size_t len;

	if (state_read(ts->cfg->state_dir, TILL_IDENTITY_FILE, &buf, &len, err, sizeof(err)) !=
	    STATE_READ_OK)
		return;
	kv_get((char *)buf, "store_id", num, sizeof(num));
	ts->store_id = strtoll(num, NULL, 10);
	kv_get((char *)buf, "till_id", num, sizeof(num));
	ts->till_id = strtoll(num, NULL, 10);
	kv_get((char *)buf, "store_code", ts->store_code, sizeof(ts->store_code));
	kv_get((char *)buf, "store_name", ts->store_name, sizeof(ts->store_name));
	kv_get((char *)buf, "till_code", ts->till_code, sizeof(ts->till_code));
	kv_get((char *)buf, "currency", ts->currency, sizeof(ts->currency));
	free(buf);
}

/* ---- PIN verifiers for offline logins ---- */

static void staff_file(char out[64], int64_t staff_id)
{
	snprintf(out, 64, TILL_STAFF_PREFIX "%lld", (long long)staff_id);
}

/* Keep an argon2id verifier of pin, with the name and role, for staff_id. */
static void verifier_save(TillSession *ts, int64_t staff_id, const char *pin)
{
	char hash[crypto_pwhash_STRBYTES], name[64], buf[crypto_pwhash_STRBYTES + 300];
	char err[KC_ERR_LEN] = "";
	int n;

	staff_file(name, staff_id);
	if (crypto_pwhash_str(hash, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		fprintf(stderr, "%s", _("kassa-till: warning: out of memory hashing the PIN; "
					"no offline login for this cashier\n"));
		return;
	}
	n = snprintf(buf, sizeof(buf), "verifier=%s\nname=%s\nrole=%s\n", hash, ts->staff_name,
		     ts->role);
	if (n < 0 || (size_t)n >= sizeof(buf) ||
	    !state_write_atomic(ts->cfg->state_dir, name, buf, (size_t)n, err, sizeof(err)))
		fprintf(stderr, _("kassa-till: warning: could not keep the offline login: %s\n"),
			err);
}

/* Check pin against the verifier of staff_id; fill the staff fields. */
static bool verifier_check(TillSession *ts, int64_t staff_id, const char *pin,
			   const char **detail)
{
	char name[64], err[KC_ERR_LEN], hash[crypto_pwhash_STRBYTES];
	uint8_t *buf;
	size_t len;
	bool ok;

	staff_file(name, staff_id);
	if (state_read(ts->cfg->state_dir, name, &buf, &len, err, sizeof(err)) != STATE_READ_OK) {
		*detail = "OFFLINE_UNKNOWN_STAFF";
		return false;
	}
	kv_get((char *)buf, "verifier", hash, sizeof(hash));
	ok = hash[0] != '\0' && crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
	if (ok) {
		kv_get((char *)buf, "name", ts->staff_name, sizeof(ts->staff_name));
		kv_get((char *)buf, "role", ts->role, sizeof(ts->role));
		ts->staff_id = staff_id;
	} else {
		*detail = "BAD_CREDENTIALS";
	}
	sodium_memzero(buf, len);
	free(buf);
	return ok;
}

/* ---- the connection ---- */

/* Was err (from kc_connect) a refusal rather than an unreachable server? */
static bool is_refusal(const char *err)
{
	return strncmp(err, "tls:", 4) == 0 || strncmp(err, "hello refused", 13) == 0;
}

/*
 * Going offline: the next reconnect try waits TILL_RECONNECT_MS. The
 * products looked up online are saved now, when the cache starts to
 * matter (not at every look-up: that would rewrite the file per scan).
 */
static void go_offline(TillSession *ts)
{
	char err[KC_ERR_LEN];

	if (ts->online && ts->cache != NULL && !cache_save(ts->cache, err, sizeof(err)))
		fprintf(stderr, _("kassa-till: warning: could not save the catalogue cache: %s\n"),
			err);
	ts->online = false;
	ts->next_try_ms = till_now_ms() + TILL_RECONNECT_MS;
}

/* Log the cashier in on a new connection when kc_reconnect() could not. */
static void relogin(TillSession *ts)
{
	Kassa__V1__Response *resp = NULL;

	if (ts->staff_id == 0 || ts->priv->kc_staff == ts->staff_id || ts->priv->pin[0] == '\0')
		return;
	if (kc_login(ts->kc, ts->staff_id, ts->priv->pin, &resp) == KC_OK &&
	    kc_status(resp) == KASSA__V1__STATUS_CODE__OK) {
		ts->priv->kc_staff = ts->staff_id;
		sodium_memzero(ts->priv->pin, sizeof(ts->priv->pin));
	} else if (resp != NULL) {
		fprintf(stderr, _("kassa-till: the server refused the login of staff %lld: %s\n"),
			(long long)ts->staff_id, kc_message(resp));
	}
	kc_response_free(resp);
}

/* One connection attempt, bounded by the connect timeout. err as kc_connect's. */
static bool connect_try(TillSession *ts, char *err, size_t errlen)
{
	bool ok;

	if (ts->kc == NULL) {
		ts->kc = kc_connect(ts->opt, err, errlen);
		ok = ts->kc != NULL;
		ts->priv->kc_staff = 0;
		if (ok)
			kc_set_retry(ts->kc, TILL_CALL_RETRIES);
	} else {
		ok = kc_reconnect(ts->kc, err, errlen);
		/* kc_reconnect() logs in again whoever kc_login() last logged in */
	}
	if (!ok) {
		go_offline(ts);
		return false;
	}
	ts->online = true;
	if (kc_welcome(ts->kc) != NULL)
		identity_save(ts, kc_welcome(ts->kc));
	return true;
}

/*
 * Keep what journal_open() set aside, for the person at the till: a torn
 * last record alone is the sale being written when the till stopped (never
 * finished, no receipt printed); anything else is damage head office must
 * look at. Either way the records are in the rejected file, nothing is lost.
 */
static void journal_notice_keep(TillSession *ts)
{
	const Journal *j = ts->journal;
	TillPriv *p = ts->priv;
	char path[STATE_PATH_MAX];

	p->journal_damaged = j->set_aside;
	p->journal_notice[0] = '\0';
	if (j->set_aside == 0)
		return;
	if (!state_path(path, sizeof(path), j->dir, JOURNAL_REJECTED_FILE))
		snprintf(path, sizeof(path), "%s", JOURNAL_REJECTED_FILE);
	if (j->torn == j->set_aside)
		snprintf(p->journal_notice, sizeof(p->journal_notice),
			 _("The sale being written when the till stopped was not finished; its "
			   "incomplete record was set aside, nothing else was lost (%s)"),
			 path);
	else if (j->set_aside == 1)
		snprintf(p->journal_notice, sizeof(p->journal_notice),
			 _("1 damaged offline sale was set aside: call head office; nothing "
			   "else was lost (%s)"), path);
	else
		snprintf(p->journal_notice, sizeof(p->journal_notice),
			 _("%d damaged offline sales were set aside: call head office; "
			   "nothing else was lost (%s)"), j->set_aside, path);
}

const char *till_journal_notice(const TillSession *ts, int *damaged)
{
	*damaged = ts->priv != NULL ? ts->priv->journal_damaged : 0;
	return *damaged > 0 ? ts->priv->journal_notice : NULL;
}

bool till_open(TillSession *ts, const TillConfig *cfg, KcOptions *opt, char *err, size_t errlen)
{
	char cerr[KC_ERR_LEN];

	memset(ts, 0, sizeof(*ts));
	ts->cfg = cfg;
	ts->opt = opt;
	ts->priv = xcalloc(1, sizeof(*ts->priv));
	if (!dir_ready(cfg->state_dir, 0700, false, err, errlen))
		return false;
	/* receipts are kept there from the first sale on: refuse a bad one now */
	if (cfg->receipt_dir != NULL &&
	    !dir_ready(cfg->receipt_dir, 0750, true, err, errlen))
		return false;
	identity_load(ts);
	ts->journal = journal_open(cfg->state_dir, err, errlen);
	if (ts->journal == NULL)
		return false;
	journal_notice_keep(ts);
	ts->cache = cache_open(cfg->state_dir);
	if (opt->ctx == NULL) {
		/* unreadable or mismatched certificate files: the till cannot work */
		ts->priv->ctx = kc_ctx_new(opt->cert, opt->key, opt->ca, err, errlen);
		if (ts->priv->ctx == NULL)
			return false;
		opt->ctx = ts->priv->ctx;
	}
	if (connect_try(ts, cerr, sizeof(cerr)))
		return true;
	if (is_refusal(cerr)) {
		snprintf(err, errlen, "%s", cerr);
		return false;
	}
	fprintf(stderr, _("kassa-till: the server cannot be reached, working offline: %s\n"), cerr);
	return true;
}

void till_close(TillSession *ts)
{
	char err[KC_ERR_LEN];

	if (ts->cache != NULL && !cache_save(ts->cache, err, sizeof(err)))
		fprintf(stderr, _("kassa-till: warning: could not save the catalogue cache: %s\n"),
			err);
	kc_free(ts->kc);
	ts->kc = NULL;
	journal_close(ts->journal);
	ts->journal = NULL;
	cache_close(ts->cache);
	ts->cache = NULL;
	if (ts->priv != NULL) {
		if (ts->priv->ctx != NULL) {
			SSL_CTX_free(ts->priv->ctx);
			if (ts->opt != NULL && ts->opt->ctx == ts->priv->ctx)
				ts->opt->ctx = NULL;
		}
		free(ts->priv->uncertain_body);
		sodium_memzero(ts->priv, sizeof(*ts->priv));
		free(ts->priv);
		ts->priv = NULL;
	}
}

bool till_online(TillSession *ts)
{
	char err[KC_ERR_LEN];
	bool was_online = ts->online;

	if (ts->kc != NULL && ts->online && kc_is_connected(ts->kc))
		return true;
	/* just lost: one attempt at once; offline: only after TILL_RECONNECT_MS */
	if (!was_online && till_now_ms() < ts->next_try_ms)
		return false;
	if (!connect_try(ts, err, sizeof(err)))
		return false;
	relogin(ts);
	if (!was_online)
		till_auto_sync(ts);
	return ts->online;
}

KcResult till_call(TillSession *ts, Kassa__V1__Request *req, Kassa__V1__Response **resp)
{
	KcResult r;

	*resp = NULL;
	if (!till_online(ts))
		return KC_ERR_IO;
	r = kc_call(ts->kc, req, resp);
	if (r != KC_OK && !kc_is_connected(ts->kc))
		go_offline(ts);
	return r;
}

/* ---- staff ---- */

bool till_login(TillSession *ts, int64_t staff_id, const char *pin, const char **detail)
{
	Kassa__V1__Response *resp = NULL;
	KcResult r;

	*detail = NULL;
	if (staff_id <= 0 || pin == NULL || *pin == '\0' || strlen(pin) >= TILL_PIN_MAX) {
		*detail = "BAD_CREDENTIALS";
		return false;
	}
	if (till_online(ts)) {
		r = kc_login(ts->kc, staff_id, pin, &resp);
		if (r == KC_OK && kc_status(resp) == KASSA__V1__STATUS_CODE__OK) {
			till_logout(ts);
			ts->staff_id = staff_id;
			if (resp->body_case == KASSA__V1__RESPONSE__BODY_LOGIN_OK) {
				copy_field(ts->staff_name, sizeof(ts->staff_name),
					   resp->login_ok->name);
				copy_field(ts->role, sizeof(ts->role), resp->login_ok->role);
			}
			ts->priv->kc_staff = staff_id;
			kc_response_free(resp);
			verifier_save(ts, staff_id, pin);
			till_auto_sync(ts);
			return true;
		}
		if (r == KC_OK) {
			copy_field(ts->priv->detail, sizeof(ts->priv->detail),
				   kc_detail(resp)[0] ? kc_detail(resp)
						      : kc_status_name(kc_status(resp)));
			*detail = ts->priv->detail;
			kc_response_free(resp);
			return false;
		}
		if (!kc_is_connected(ts->kc))
			go_offline(ts);
	}
	/* offline: the verifier of the last online login on this till */
	till_logout(ts);
	if (!verifier_check(ts, staff_id, pin, detail))
		return false;
	snprintf(ts->priv->pin, sizeof(ts->priv->pin), "%s", pin);
	return true;
}

void till_logout(TillSession *ts)
{
	ts->staff_id = 0;
	ts->staff_name[0] = '\0';
	ts->role[0] = '\0';
	sodium_memzero(ts->priv->pin, sizeof(ts->priv->pin));
}

/* ---- products and receipt numbers ---- */

const Kassa__V1__Product *till_product(TillSession *ts, const char *code, const char **detail)
{
	Kassa__V1__Response *resp = NULL;
	const Kassa__V1__Product *p;
	KcReq rq;

	*detail = NULL;
	kc_req_product_lookup(&rq, code);
	if (till_call(ts, &rq.req, &resp) == KC_OK) {
		p = NULL;
		if (kc_status(resp) == KASSA__V1__STATUS_CODE__OK &&
		    resp->body_case == KASSA__V1__RESPONSE__BODY_PRODUCT)
			p = cache_put(ts->cache, resp->product);
		if (p == NULL) {
			copy_field(ts->priv->detail, sizeof(ts->priv->detail),
				   kc_detail(resp)[0] ? kc_detail(resp)
						      : kc_status_name(kc_status(resp)));
			*detail = ts->priv->detail;
		}
		kc_response_free(resp);
		return p;
	}
	p = cache_find(ts->cache, code);
	if (p == NULL)
		*detail = "UNKNOWN_PRODUCT";
	return p;
}

bool till_next_receipt(TillSession *ts, char out[TILL_RECEIPT_LEN])
{
	char err[KC_ERR_LEN], buf[32], *end;
	uint8_t *raw = NULL;
	size_t len;
	long long n = 0;
	StateRead r;
	int w;

	out[0] = '\0';
	if (ts->till_code[0] == '\0')
		return false;	/* never connected: no till code to number with */
	r = state_read(ts->cfg->state_dir, TILL_RECEIPT_FILE, &raw, &len, err, sizeof(err));
	if (r == STATE_READ_OK) {
		errno = 0;
		n = strtoll((char *)raw, &end, 10);
		if (errno != 0 || end == (char *)raw || n < 0 || n == LLONG_MAX) {
			fprintf(stderr, _("kassa-till: the receipt counter %s/%s is damaged; "
					  "refusing to number receipts\n"),
				ts->cfg->state_dir, TILL_RECEIPT_FILE);
			free(raw);
			return false;
		}
	} else if (r == STATE_READ_MISSING) {
		/*
		 * A new state directory numbers from the clock, so that a till
		 * whose directory was lost or replaced does not hand out the
		 * receipt numbers of its earlier days again (the server keeps
		 * them unique): 1000 numbers per second since TILL_RECEIPT_EPOCH.
		 */
		time_t now = time(NULL);

		n = now > TILL_RECEIPT_EPOCH ? (long long)(now - TILL_RECEIPT_EPOCH) * 1000 : 0;
	} else {
		fprintf(stderr, "kassa-till: %s\n", err);
		return false;
	}
	free(raw);
	n++;
	/* durable before it is used, so a crash never hands the same number out twice */
	w = snprintf(buf, sizeof(buf), "%lld\n", n);
	if (!state_write_atomic(ts->cfg->state_dir, TILL_RECEIPT_FILE, buf, (size_t)w, err,
				sizeof(err))) {
		fprintf(stderr, "kassa-till: %s\n", err);
		return false;
	}
	w = snprintf(out, TILL_RECEIPT_LEN, "%s-%lld", ts->till_code, n);
	return w > 0 && w < TILL_RECEIPT_LEN;
}

/* ---- what the screen shows ---- */

bool till_last_sync(TillSession *ts, TillSyncReport *rep)
{
	if (!ts->priv->have_sync)
		return false;
	*rep = ts->priv->last_sync;
	ts->priv->have_sync = false;
	return true;
}

size_t till_pending(const TillSession *ts)
{
	return ts->journal != NULL ? ts->journal->n : 0;
}

size_t till_rejected(const TillSession *ts)
{
	return ts->journal != NULL && ts->journal->rejected > 0 ? (size_t)ts->journal->rejected : 0;
}

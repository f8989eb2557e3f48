/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outbox.c: the outbox's sender on kassad's loop. A timer every [outbox]
 * interval_ms claims up to min(batch, concurrency - in flight) due rows in
 * one statement (kassa_outbox_claim: FOR UPDATE SKIP LOCKED, a lease of
 * timeout_ms + OUTBOX_LEASE_MARGIN_MS, messages whose member withdrew
 * consent or was erased cancelled right there), builds each row's JSON
 * body (a message rendered from its template now, with the member's name
 * as it is now; a feed event as recorded), signs it and hands it to the
 * webhook sender (sender_webhook.c) or the file sender (sender_file.c).
 * When the attempt is over, kassa_outbox_record() writes its outcome: sent
 * only when the endpoint accepted it, else pending again after the
 * back-off (outbox_util.c) or dead after max_attempts.
 *
 * Bounds: at most [outbox] concurrency deliveries in flight, one claim
 * statement at a time. On shutdown the deliveries in flight are dropped:
 * their rows stay 'sending' until the lease ends, then any kassad claims
 * them again (the receiver drops the copy by its Idempotency-Key).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <sodium.h>

#include "crm.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "outbox.h"
#include "template_render.h"

#define OUTBOX_LEASE_MARGIN_MS 10000	/* past the attempt's deadline: time to record it */
#define OUTBOX_TEXT_MAX 4000		/* bytes of a rendered text */
#define OUTBOX_SUBJECT_MAX 400		/* ... of a rendered subject */
#define OUTBOX_VARS_MAX 32		/* template variables besides the member's */
#define OUTBOX_CLAIM_LOG_US 10000000	/* a failing claim is logged this seldom */

/* The claim's columns (kassa_outbox_claim's r_*). */
enum {
	C_ID, C_KIND, C_KEY, C_ATTEMPTS, C_ENDPOINT, C_EP_KIND, C_URL, C_FILE, C_SECRET,
	C_MEMBER, C_CHANNEL, C_PURPOSE, C_TEMPLATE, C_LANGUAGE, C_VARS, C_CAMPAIGN,
	C_CREATED, C_NAME, C_PHONE, C_EMAIL, C_SUBJECT, C_BODY, C_EVENT,
};

static int st_claim, st_record;
static struct event *tick;
static Delivery *in_flight;		/* the list of deliveries not yet recorded */
static int n_in_flight;
static bool claiming, stopped;

void outbox_setup(void)
{
	st_claim = db_stmt_add("outbox_claim", "SELECT * FROM kassa_outbox_claim($1, $2)",
			       DB_LANE_WORK);
	st_record = db_stmt_add("outbox_record",
		"SELECT kassa_outbox_record($1, $2, $3, $4, $5, $6, $7, $8)", DB_LANE_WORK);
}

static void list_remove(Delivery *d)
{
	if (d->prev)
		d->prev->next = d->next;
	else
		in_flight = d->next;
	if (d->next)
		d->next->prev = d->prev;
	n_in_flight--;
}

static void delivery_free(Delivery *d)
{
	free(d->body);
	free(d);
}

static void record_cb(void *arg, DbStatus st, const PGresult *res)
{
	Delivery *d = arg;

	if (st != DB_OK)
		log_warn("outbox: could not record attempt of row %lld (%s): it is retried "
			 "after its lease", (long long)d->outbox_id,
			 st == DB_SQL_ERROR ? db_errmsg(res) : "database unavailable");
	else if (PQgetisnull(res, 0, 0))
		log_info("outbox: row %lld moved on while it was being delivered",
			 (long long)d->outbox_id);
	list_remove(d);
	delivery_free(d);
}

void outbox_delivery_done(Delivery *d)
{
	char id[24], attempts[16], started[24], status[16], wait[24];
	bool accepted = strcmp(d->result, "accepted") == 0;
	bool dead = !accepted && (d->dead_now || outbox_is_dead(d->attempts + 1,
								cf_outbox_max_attempts));
	int64_t w = accepted || dead ? 0 :
		outbox_backoff_ms(d->attempts + 1, cf_outbox_backoff_base_ms,
				  cf_outbox_backoff_max_ms, randombytes_random());

	if (d->abandoned || stopped) {
		list_remove(d);
		delivery_free(d);
		return;
	}
	log_info("outbox: row %lld to %s: %s%s%s", (long long)d->outbox_id, d->endpoint,
		 d->result, d->error[0] ? ": " : "", d->error);
	snprintf(id, sizeof(id), "%lld", (long long)d->outbox_id);
	snprintf(attempts, sizeof(attempts), "%d", d->attempts);
	snprintf(started, sizeof(started), "%lld", (long long)d->started_ms);
	snprintf(status, sizeof(status), "%d", d->http_status);
	snprintf(wait, sizeof(wait), "%lld", (long long)w);

	const char *params[8] = { id, attempts, started, d->result, status, d->error, wait,
				  dead ? "true" : "false" };

	db_query(st_record, 8, params, record_cb, d);
}

/* The channel's name in a body. */
static const char *channel_name(int ch)
{
	return ch == KASSA__V1__CHANNEL__CHANNEL_SMS ? "sms" :
	       ch == KASSA__V1__CHANNEL__CHANNEL_EMAIL ? "email" : "wechat";
}

/* t rendered with the member's name and vars' values (strings, numbers); NULL + *err. */
static char *render(const char *t, const char *name, json_t *vars, size_t max,
		    const char **err)
{
	TemplateVar v[OUTBOX_VARS_MAX + 1];
	char nums[OUTBOX_VARS_MAX][32];
	size_t n = 0;
	const char *k;
	json_t *val;

	v[n].name = "name";
	v[n++].value = name;
	json_object_foreach(vars, k, val) {
		if (n > OUTBOX_VARS_MAX)
			break;
		if (json_is_string(val)) {
			v[n].value = json_string_value(val);
		} else if (json_is_integer(val)) {
			snprintf(nums[n - 1], sizeof(nums[0]), "%lld",
				 (long long)json_integer_value(val));
			v[n].value = nums[n - 1];
		} else {
			continue;
		}
		v[n++].name = k;
	}
	return template_render(t, v, n, max, err);
}

/* row r's message body into o; false with d->error when it cannot be made. */
static bool message_body(Delivery *d, const PGresult *res, int r, json_t *o)
{
	const char *err = "NO_TEMPLATE", *name = PQgetvalue(res, r, C_NAME);
	int ch = atoi(PQgetvalue(res, r, C_CHANNEL));
	json_t *vars = json_loads(PQgetvalue(res, r, C_VARS), 0, NULL), *to = json_object();
	char *text = NULL, *subject = NULL;

	if (!PQgetisnull(res, r, C_BODY)) {
		text = render(PQgetvalue(res, r, C_BODY), name, vars, OUTBOX_TEXT_MAX, &err);
		if (text != NULL)
			subject = render(PQgetvalue(res, r, C_SUBJECT), name, vars,
					 OUTBOX_SUBJECT_MAX, &err);
	}
	json_decref(vars);
	json_object_set_new(to, "member_id", json_integer(strtoll(PQgetvalue(res, r, C_MEMBER),
								  NULL, 10)));
	if (ch == KASSA__V1__CHANNEL__CHANNEL_EMAIL)
		json_object_set_new(to, "email", json_string(PQgetvalue(res, r, C_EMAIL)));
	else
		json_object_set_new(to, "phone", json_string(PQgetvalue(res, r, C_PHONE)));
	json_object_set_new(o, "type", json_string("message"));
	json_object_set_new(o, "channel", json_string(channel_name(ch)));
	json_object_set_new(o, "to", to);
	json_object_set_new(o, "purpose", json_string(PQgetvalue(res, r, C_PURPOSE)));
	json_object_set_new(o, "language", json_string(PQgetvalue(res, r, C_LANGUAGE)));
	json_object_set_new(o, "template", json_string(PQgetvalue(res, r, C_TEMPLATE)));
	json_object_set_new(o, "subject", subject ? json_string(subject) : json_null());
	json_object_set_new(o, "text", text ? json_string(text) : json_null());
	json_object_set_new(o, "campaign_id", PQgetisnull(res, r, C_CAMPAIGN) ? json_null() :
			    json_integer(strtoll(PQgetvalue(res, r, C_CAMPAIGN), NULL, 10)));
	bool ok = text != NULL && subject != NULL;

	free(subject);
	free(text);
	if (!ok)
		snprintf(d->error, sizeof(d->error), "render: %s", err ? err : "FAILED");
	return ok;
}

/* row r's event body into o (the event's fields at the top); false when it is gone. */
static bool event_body(Delivery *d, const PGresult *res, int r, json_t *o)
{
	json_t *e = PQgetisnull(res, r, C_EVENT) ? NULL :
		    json_loads(PQgetvalue(res, r, C_EVENT), 0, NULL);
	json_t *type;

	if (e == NULL) {
		snprintf(d->error, sizeof(d->error), "NO_EVENT");
		return false;
	}
	type = json_object_get(e, "type");
	json_object_set(o, "event_type", type ? type : json_null());
	json_object_del(e, "type");
	json_object_update(o, e);
	json_object_set_new(o, "type", json_string("event"));
	json_decref(e);
	return true;
}

/* The body of claimed row r in d, signed; false (d->error set) when it cannot be sent. */
static bool build_body(Delivery *d, const PGresult *res, int r)
{
	json_t *o = json_object();
	bool ok;
	uint8_t key[64];
	int klen;

	json_object_set_new(o, "id", json_string(d->key));
	json_object_set_new(o, "outbox_id", json_integer(d->outbox_id));
	json_object_set_new(o, "created_at", json_string(PQgetvalue(res, r, C_CREATED)));
	ok = strcmp(PQgetvalue(res, r, C_KIND), "message") == 0 ? message_body(d, res, r, o) :
	     event_body(d, res, r, o);
	d->body = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (!ok || d->body == NULL)
		return false;
	d->body_len = strlen(d->body);
	klen = outbox_unhex(PQgetvalue(res, r, C_SECRET), key, sizeof(key));
	if (klen > 0 && !outbox_sign(key, (size_t)klen, d->started_ms / 1000, d->body,
				     d->body_len, d->sig)) {
		snprintf(d->error, sizeof(d->error), "SIGN_FAILED");
		ok = false;
	}
	sodium_memzero(key, sizeof(key));
	return ok;
}

/* The wall clock in Unix milliseconds (attempts' times, the signature's t). */
static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Start delivering claimed row r. */
static void start_row(const PGresult *res, int r)
{
	Delivery *d = xcalloc(1, sizeof(*d));

	d->outbox_id = strtoll(PQgetvalue(res, r, C_ID), NULL, 10);
	d->attempts = atoi(PQgetvalue(res, r, C_ATTEMPTS));
	snprintf(d->key, sizeof(d->key), "%s", PQgetvalue(res, r, C_KEY));
	snprintf(d->endpoint, sizeof(d->endpoint), "%s", PQgetvalue(res, r, C_ENDPOINT));
	d->to_file = strcmp(PQgetvalue(res, r, C_EP_KIND), "file") == 0;
	snprintf(d->url, sizeof(d->url), "%s", PQgetvalue(res, r, C_URL));
	snprintf(d->file, sizeof(d->file), "%s", PQgetvalue(res, r, C_FILE));
	d->started_ms = wall_ms();
	d->next = in_flight;
	if (in_flight)
		in_flight->prev = d;
	in_flight = d;
	n_in_flight++;
	if (!build_body(d, res, r)) {
		/* it can never go as it is: a dead letter with the reason */
		d->result = "failed";
		d->dead_now = true;
		outbox_delivery_done(d);
	} else if (d->to_file) {
		file_send(d);
	} else {
		webhook_send(d);
	}
}

static void claim_cb(void *arg, DbStatus st, const PGresult *res)
{
	(void)arg;
	claiming = false;
	if (stopped)
		return;
	if (st != DB_OK) {
		static int64_t logged_us;	/* at most one line every 10 s */

		if (now_usec() - logged_us >= OUTBOX_CLAIM_LOG_US) {
			log_warn("outbox: could not claim due rows: %s",
				 st == DB_SQL_ERROR ? db_errmsg(res) : "database unavailable");
			logged_us = now_usec();
		}
		return;
	}
	for (int r = 0; r < PQntuples(res); r++)
		start_row(res, r);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	int n = cf_outbox_concurrency - n_in_flight;
	char limit[16], lease[16];

	(void)fd;
	(void)what;
	(void)arg;
	if (n > cf_outbox_batch)
		n = cf_outbox_batch;
	if (claiming || stopped || g_shutting_down || n <= 0)
		return;
	snprintf(limit, sizeof(limit), "%d", n);
	snprintf(lease, sizeof(lease), "%d", cf_outbox_timeout_ms + OUTBOX_LEASE_MARGIN_MS);

	const char *params[2] = { limit, lease };

	claiming = true;
	db_query(st_claim, 2, params, claim_cb, NULL);
}

bool outbox_start(void)
{
	struct timeval tv;

	if (cf_outbox_interval_ms <= 0)
		return true;
	if (!webhook_setup())
		return false;
	tick = event_new(g_base, -1, EV_PERSIST, tick_cb, NULL);
	tv.tv_sec = cf_outbox_interval_ms / 1000;
	tv.tv_usec = (cf_outbox_interval_ms % 1000) * 1000;
	if (tick == NULL || event_add(tick, &tv) != 0) {
		log_error("outbox: could not arm the sender's timer");
		return false;
	}
	log_info("outbox: sender every %d ms, %d at once", cf_outbox_interval_ms,
		 cf_outbox_concurrency);
	return true;
}

void outbox_shutdown(void)
{
	stopped = true;
	if (tick) {
		event_free(tick);
		tick = NULL;
	}
	/*
	 * A webhook delivery still running (it has its sender's state) is
	 * dropped with its connection; the others are being recorded (their
	 * query fails or ends in db_shutdown()) or written by a worker thread.
	 */
	for (Delivery *d = in_flight, *next; d; d = next) {
		next = d->next;
		d->abandoned = true;
		if (!d->to_file && d->sender != NULL) {
			webhook_abort(d);
			list_remove(d);
			delivery_free(d);
		}
	}
	webhook_shutdown();
}

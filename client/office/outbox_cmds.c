/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outbox_cmds.c: kassa-office's endpoint and outbox commands (an
 * administrator's):
 *
 *   endpoint put NAME kind=webhook url=https://... | kind=file file=NAME
 *                [channels=sms,email,wechat] [events=member.*,sale.*]
 *                [new-secret] [active=0|1]
 *   endpoint list
 *   outbox list [state=S] [endpoint=NAME] [member=ID] [limit=N] [after=CURSOR]
 *   outbox list id=N            (that row's attempts: the retry log)
 *   outbox retry ID
 *
 * endpoint put answers {"ok":true,"cmd":..,"idempotency_key":..,"endpoint":
 * {..},"secret":"<hex>"} (secret only with new-secret: it is shown this
 * once); outbox retry {"ok":true,..,"outbox_id":N,"state":"pending"}; the
 * lists are tables (--format table|csv|json).
 */
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "kc_json.h"
#include "kc_outbox.h"
#include "office.h"
#include "report_render.h"

#define PUT_USAGE "endpoint put NAME kind=webhook url=https://...|kind=file file=NAME " \
		  "[channels=sms,email,wechat] [events=PATTERN,...] [new-secret] [active=0|1]"
#define LIST_USAGE "outbox list [state=S] [endpoint=NAME] [member=ID] [limit=N] " \
		   "[after=CURSOR] | outbox list id=N"
#define OUTBOX_COLS_MAX 16
#define PUT_LIST_MAX 16

typedef struct OutboxLabel {
	const char *key;
	const char *label;	/* N_(): translated at use */
} OutboxLabel;

static const OutboxLabel labels[] = {
	{ "endpoints", N_("Endpoints") }, { "outbox", N_("Outbox") },
	{ "outbox_attempts", N_("Delivery attempts") },
	{ "name", N_("Name") }, { "kind", N_("Kind") }, { "target", N_("Target") },
	{ "channels", N_("Channels") }, { "events", N_("Events") }, { "active", N_("Active") },
	{ "signed", N_("Signed") }, { "pending", N_("Pending") }, { "dead", N_("Dead") },
	{ "updated_at", N_("Updated at") }, { "outbox_id", N_("Outbox ID") },
	{ "endpoint", N_("Endpoint") }, { "member_id", N_("Member ID") },
	{ "channel", N_("Channel") }, { "purpose", N_("Purpose") },
	{ "template", N_("Template") }, { "event_seq", N_("Event") }, { "state", N_("State") },
	{ "attempts", N_("Attempts") }, { "next_attempt_at", N_("Next attempt") },
	{ "last_error", N_("Last error") }, { "created_at", N_("Created at") },
	{ "sent_at", N_("Sent at") }, { "delivery_key", N_("Delivery key") },
	{ "attempt", N_("Attempt") }, { "started_at", N_("Started at") },
	{ "finished_at", N_("Finished at") }, { "result", N_("Result") },
	{ "http_status", N_("HTTP status") }, { "error", N_("Error") },
	{ "wait_ms", N_("Waited (ms)") },
};

static const char *label(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(labels); i++)
		if (strcmp(labels[i].key, key) == 0)
			return _(labels[i].label);
	return key;
}

/* t with its title and column names in the user's language. */
static bool outbox_table(FILE *out, const Kassa__V1__ReportTable *t)
{
	Kassa__V1__ReportTable h = *t;
	Kassa__V1__ReportColumn cols[OUTBOX_COLS_MAX], *colp[OUTBOX_COLS_MAX];

	if (t->n_columns > OUTBOX_COLS_MAX)
		return report_render_table(out, t);
	for (size_t i = 0; i < t->n_columns; i++) {
		cols[i] = *t->columns[i];
		cols[i].key = (char *)label(t->columns[i]->key);
		colp[i] = &cols[i];
	}
	h.columns = colp;
	h.report = (char *)label(t->report);
	return report_render_table(out, &h);
}

/* Is every key=value of a one of keys (NULL-terminated), each once, and no word but allowed_word? */
static bool args_known(const Args *a, const char *const *keys, int first, const char *word)
{
	for (int i = first; i < a->n; i++) {
		bool ok = a->vals[i] == NULL && word != NULL && strcmp(a->keys[i], word) == 0;

		for (const char *const *k = keys; !ok && *k; k++)
			ok = a->vals[i] != NULL && strcmp(a->keys[i], *k) == 0;
		for (int j = first; ok && j < i; j++)
			ok = strcmp(a->keys[j], a->keys[i]) != 0;
		if (!ok)
			return false;
	}
	return true;
}

/* Split the comma list s (modified) into out; the count, or -1 if too many or empty parts. */
static int split_list(char *s, char **out, int max)
{
	int n = 0;

	for (char *p = strtok(s, ","); p; p = strtok(NULL, ",")) {
		if (n == max)
			return -1;
		out[n++] = p;
	}
	return n;
}

static bool parse_channels(const char *v, Kassa__V1__Channel *ch, size_t *n)
{
	char buf[128], *w[PUT_LIST_MAX];
	int k;

	if (v == NULL)
		return true;
	snprintf(buf, sizeof(buf), "%s", v);
	k = split_list(buf, w, PUT_LIST_MAX);
	if (k < 0)
		return false;
	for (int i = 0; i < k; i++) {
		if (strcmp(w[i], "sms") == 0)
			ch[i] = KASSA__V1__CHANNEL__CHANNEL_SMS;
		else if (strcmp(w[i], "email") == 0)
			ch[i] = KASSA__V1__CHANNEL__CHANNEL_EMAIL;
		else if (strcmp(w[i], "wechat") == 0)
			ch[i] = KASSA__V1__CHANNEL__CHANNEL_WECHAT;
		else
			return false;
	}
	*n = (size_t)k;
	return true;
}

static json_t *endpoint_json(const Kassa__V1__Endpoint *e)
{
	static const char *const names[] = { "", "sms", "email", "wechat" };
	json_t *o = json_object(), *ch = json_array(), *ev = json_array();

	for (size_t i = 0; i < e->n_channels; i++)
		json_array_append_new(ch, json_string(e->channels[i] >= 1 && e->channels[i] <= 3 ?
						      names[e->channels[i]] : "?"));
	for (size_t i = 0; i < e->n_events; i++)
		json_array_append_new(ev, json_string(e->events[i]));
	json_object_set_new(o, "name", json_string(e->name));
	json_object_set_new(o, "kind", json_string(e->kind));
	json_object_set_new(o, "url", json_string(e->url));
	json_object_set_new(o, "file", json_string(e->file));
	json_object_set_new(o, "channels", ch);
	json_object_set_new(o, "events", ev);
	json_object_set_new(o, "active", json_boolean(e->active));
	json_object_set_new(o, "created_at", json_string(e->created_at));
	return o;
}

int cmd_endpoint_put(KassaClient *kc, const Args *a)
{
	static const char *const keys[] = { "kind", "url", "file", "channels", "events",
					    "active", NULL };
	const char *cmd = "endpoint put", *active = arg_get(a, "active");
	Kassa__V1__EndpointPut put = KASSA__V1__ENDPOINT_PUT__INIT;
	Kassa__V1__Channel ch[PUT_LIST_MAX];
	Kassa__V1__Response *resp = NULL;
	char evbuf[1024], *ev[PUT_LIST_MAX], key[KC_KEY_LEN];
	int code = OFFICE_EXIT_OK, nev = 0;
	json_t *o;

	if (arg_word(a, 0) == NULL || !args_known(a, keys, 1, "new-secret") ||
	    arg_get(a, "kind") == NULL || (active && strcmp(active, "0") != 0 &&
					   strcmp(active, "1") != 0))
		return bad_usage(cmd, PUT_USAGE);
	put.name = (char *)arg_word(a, 0);
	put.kind = (char *)arg_get(a, "kind");
	put.url = (char *)(arg_get(a, "url") ? arg_get(a, "url") : "");
	put.file = (char *)(arg_get(a, "file") ? arg_get(a, "file") : "");
	put.active = active == NULL || strcmp(active, "1") == 0;
	for (int i = 1; i < a->n; i++)
		put.new_secret = put.new_secret || a->vals[i] == NULL;
	if (!parse_channels(arg_get(a, "channels"), ch, &put.n_channels))
		return bad_usage(cmd, PUT_USAGE);
	put.channels = ch;
	if (arg_get(a, "events") != NULL) {
		snprintf(evbuf, sizeof(evbuf), "%s", arg_get(a, "events"));
		if ((nev = split_list(evbuf, ev, PUT_LIST_MAX)) < 0)
			return bad_usage(cmd, PUT_USAGE);
	}
	put.n_events = (size_t)nev;
	put.events = ev;
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_endpoint_put(kc, &put, key, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_ENDPOINT, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "endpoint", endpoint_json(resp->endpoint));
	if (resp->endpoint->secret[0] != '\0')
		json_object_set_new(o, "secret", json_string(resp->endpoint->secret));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/* A table answer written out; the exit code. */
static int write_table(KassaClient *kc, const char *cmd, KcResult r, Kassa__V1__Response *resp)
{
	int code = OFFICE_EXIT_OK;

	if (!office_result(kc, cmd, r, &resp, KASSA__V1__RESPONSE__BODY_REPORT_TABLE, &code))
		return code;
	code = office_write_table(cmd, resp->report_table, outbox_table);
	kc_response_free(resp);
	return code;
}

int cmd_endpoint_list(KassaClient *kc, const Args *a)
{
	Kassa__V1__Response *resp = NULL;
	KcResult r;

	if (a->n != 0)
		return bad_usage("endpoint list", "endpoint list");
	r = kc_endpoint_list(kc, &resp);
	return write_table(kc, "endpoint list", r, resp);
}

/* A non-negative number from v (NULL: 0); false if it is not one. */
static bool num_arg(const char *v, long long max, long long *out)
{
	char *end = NULL;

	*out = 0;
	if (v == NULL)
		return true;
	*out = strtoll(v, &end, 10);
	return end != v && *end == '\0' && *out >= 0 && *out <= max;
}

int cmd_outbox_list(KassaClient *kc, const Args *a)
{
	static const char *const keys[] = { "state", "endpoint", "member", "limit", "after",
					    "id", NULL };
	Kassa__V1__Response *resp = NULL;
	long long member, limit, id;
	KcResult r;

	if (!args_known(a, keys, 0, NULL) || !num_arg(arg_get(a, "member"), INT64_MAX, &member) ||
	    !num_arg(arg_get(a, "limit"), 500, &limit) ||
	    !num_arg(arg_get(a, "id"), INT64_MAX, &id) ||
	    (arg_get(a, "id") != NULL && (id == 0 || a->n != 1)))
		return bad_usage("outbox list", LIST_USAGE);
	r = kc_outbox_list(kc, arg_get(a, "state"), arg_get(a, "endpoint"), member, id,
			   (uint32_t)limit, arg_get(a, "after"), &resp);
	return write_table(kc, "outbox list", r, resp);
}

int cmd_outbox_retry(KassaClient *kc, const Args *a)
{
	const char *cmd = "outbox retry";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	char key[KC_KEY_LEN];
	int64_t id;
	json_t *o;

	if (a->n != 1 || !arg_id(a, 0, &id))
		return bad_usage(cmd, "outbox retry ID");
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_outbox_retry(kc, id, key, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_OUTBOX_RETRIED, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "outbox_id", json_integer(resp->outbox_retried->outbox_id));
	json_object_set_new(o, "state", json_string(resp->outbox_retried->state));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

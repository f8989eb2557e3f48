/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_count.c: stock count sessions at the till, in script mode:
 *
 *   count open [category=C | codes=SKU,SKU,...] [zero]   (none: every product)
 *   count scan CODE [QTY] [id=N]     add QTY (default 1) of a SKU or barcode
 *   count set CODE QTY [id=N]        a correction: the counted quantity is QTY
 *   count show [ID]                  the session and its variance lines
 *   count post [ID]                  post the variances (a manager)
 *   count cancel [ID]                cancel the session (a manager)
 *
 * Without an id, the store's most recent open session (CountGet 0). zero:
 * products of the scope nobody counted are counted as 0 at posting. Each
 * answers {"ok":true,"cmd":"count ..",["idempotency_key":..,]"count":{..}}
 * (kc_count_session_json()). Counts need the server: offline they fail as
 * every online-only command does. Rules: docs/store/counts.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "kc_counts.h"
#include "kc_json.h"
#include "kc_options.h"
#include "script_cmds.h"

#define COUNT_CODES_MAX 32

/* A whole number, signed (the server says which quantities it takes). */
static bool count_qty(const char *s, int64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && end != s && *end == '\0';
}

/* Send r; print the session (keyed: with the key) and true, or the failure. */
static bool count_send(Till *t, const Cmd *c, KcCountReq *r, bool keyed, int64_t *id)
{
	Kassa__V1__Response *resp = NULL;
	int before = script_reconnects(t);
	json_t *o;

	if (!script_answered_ok(t, c, till_call(t->ts, &r->req, &resp), &resp))
		return false;
	if (!script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_COUNT_SESSION))
		return false;
	if (id != NULL) {
		*id = resp->count_session->count_id;
	} else {
		o = keyed ? script_ok_keyed(t, c, r->req.idempotency_key, before) : kcj_ok(c->name);
		json_object_set_new(o, "count", kc_count_session_json(resp->count_session));
		kcj_emit(o);
	}
	kc_response_free(resp);
	return true;
}

/* The session named by word (a number) or the store's open one; false: failed. */
static bool count_id(Till *t, const Cmd *c, const char *word, int64_t *id)
{
	KcCountReq r;

	if (word != NULL)
		return kc_parse_i64(word, id) && *id > 0;
	kc_count_req_init(&r);
	kc_count_req_get(&r, 0);
	return count_send(t, c, &r, false, id);
}

static void count_open(Till *t, const Cmd *c)
{
	const char *category = arg_get(c, "category"), *list = arg_get(c, "codes");
	bool zero = false, bad = false;
	char buf[1024], *codes[COUNT_CODES_MAX], *save = NULL;
	size_t n = 0;
	KcCountReq r;

	for (int i = 0; i < arg_count(c); i++) {
		const char *w = arg_word(c, i);

		if (w != NULL && strcmp(w, "zero") == 0)
			zero = true;
		else if (w != NULL || (strcmp(c->keys[c->first + i], "category") != 0 &&
				       strcmp(c->keys[c->first + i], "codes") != 0))
			bad = true;
	}
	if (bad || (category != NULL && list != NULL)) {
		script_usage(t, c, "count open [category=C | codes=SKU,SKU,...] [zero]");
		return;
	}
	if (list != NULL) {
		snprintf(buf, sizeof(buf), "%s", list);
		for (char *w = strtok_r(buf, ",", &save); w != NULL && n < COUNT_CODES_MAX;
		     w = strtok_r(NULL, ",", &save))
			codes[n++] = w;
	}
	kc_count_req_init(&r);
	kc_count_req_open(&r, category == NULL && list == NULL, category, codes, n, zero,
			  0, NULL);
	count_send(t, c, &r, true, NULL);
}

static void count_scan(Till *t, const Cmd *c, bool set)
{
	const char *code = arg_word(c, 0), *qw = arg_word(c, 1), *idw = arg_get(c, "id");
	int64_t qty = 1, id = 0;
	KcCountReq r;

	if (code == NULL || (set && qw == NULL) || (qw != NULL && !count_qty(qw, &qty)) ||
	    arg_count(c) > 2 + (idw != NULL)) {
		script_usage(t, c, set ? "count set CODE QTY [id=N]" : "count scan CODE [QTY] [id=N]");
		return;
	}
	if (!count_id(t, c, idw, &id)) {
		if (idw != NULL)
			script_usage(t, c, "id=N: the count session's id");
		return;
	}
	kc_count_req_init(&r);
	kc_count_req_scan(&r, id, code, qty, set, NULL);
	count_send(t, c, &r, true, NULL);
}

/* show, post, cancel [ID] */
static void count_close(Till *t, const Cmd *c, const char *verb)
{
	const char *w = arg_word(c, 0);
	int64_t id = 0;
	KcCountReq r;
	char use[32];

	snprintf(use, sizeof(use), "count %s [ID]", verb);
	if (arg_count(c) > 1 || (arg_count(c) == 1 && w == NULL) ||
	    (w != NULL && (!kc_parse_i64(w, &id) || id <= 0))) {
		script_usage(t, c, use);
		return;
	}
	kc_count_req_init(&r);
	if (strcmp(verb, "show") == 0) {
		kc_count_req_get(&r, id);
		count_send(t, c, &r, false, NULL);
		return;
	}
	if (!count_id(t, c, w, &id))
		return;
	kc_count_req_post(&r, id, strcmp(verb, "cancel") == 0, NULL);
	count_send(t, c, &r, true, NULL);
}

void cmd_count(Till *t, const Cmd *c)
{
	const char *verb = arg_word(c, 0);
	char name[32];
	Cmd sub = *c;

	if (verb == NULL) {
		script_usage(t, c, "count open|scan|set|show|post|cancel ...");
		return;
	}
	snprintf(name, sizeof(name), "count %s", verb);
	sub.name = name;
	sub.first = c->first + 1;
	if (strcmp(verb, "open") == 0)
		count_open(t, &sub);
	else if (strcmp(verb, "scan") == 0 || strcmp(verb, "set") == 0)
		count_scan(t, &sub, strcmp(verb, "set") == 0);
	else if (strcmp(verb, "show") == 0 || strcmp(verb, "post") == 0 ||
		 strcmp(verb, "cancel") == 0)
		count_close(t, &sub, verb);
	else
		script_usage(t, c, "count open|scan|set|show|post|cancel ...");
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count_cmds.c: kassa-office's commands of stock counts and transfers
 * (store operations, part "counts"); listed in store_ops.c:
 *
 *   count show ID                       a session with its variance lines
 *   count post ID [cancel]              post (or cancel) an open session
 *   transfer send to=STORE SKU=QTY... [from=STORE] [note=TEXT]
 *   transfer receive ID [SKU=QTY...]    none given: everything as sent
 *   transfer show ID
 *   transfer list [store=ID] [state=sent|received] [limit=N] [before=ID]
 *
 * Each prints one JSON object: {"ok":true,"cmd":..,["idempotency_key":..,]
 * "count":{..}} or "transfer":{..} (kc_counts.h), a list "transfers":[..]
 * with "next_before" (0: no more). Rules: docs/store/counts.md.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "kc_counts.h"
#include "kc_json.h"
#include "count_cmds.h"

/* Send r and print its answer under name (count or transfer); key NULL: a read. */
static int count_run(KassaClient *kc, const char *cmd, KcCountReq *r, const char *key)
{
	Kassa__V1__Response *resp = NULL;
	Kassa__V1__Response__BodyCase want;
	int code = OFFICE_EXIT_OK;
	json_t *o;

	switch (r->req.body_case) {
	case KASSA__V1__REQUEST__BODY_COUNT_GET:
	case KASSA__V1__REQUEST__BODY_COUNT_POST:
		want = KASSA__V1__RESPONSE__BODY_COUNT_SESSION;
		break;
	case KASSA__V1__REQUEST__BODY_TRANSFER_LIST:
		want = KASSA__V1__RESPONSE__BODY_TRANSFER_PAGE;
		break;
	default:
		want = KASSA__V1__RESPONSE__BODY_TRANSFER;
		break;
	}
	if (!office_result(kc, cmd, kc_call(kc, &r->req, &resp), &resp, want, &code))
		return code;
	o = key != NULL ? ok_keyed(cmd, key) : kcj_ok(cmd);
	if (want == KASSA__V1__RESPONSE__BODY_COUNT_SESSION) {
		json_object_set_new(o, "count", kc_count_session_json(resp->count_session));
	} else if (want == KASSA__V1__RESPONSE__BODY_TRANSFER) {
		json_object_set_new(o, "transfer", kc_transfer_json(resp->transfer));
	} else {
		json_t *list = json_array();

		for (size_t i = 0; i < resp->transfer_page->n_transfers; i++)
			json_array_append_new(list,
					      kc_transfer_json(resp->transfer_page->transfers[i]));
		json_object_set_new(o, "transfers", list);
		json_object_set_new(o, "next_before",
				    json_integer((json_int_t)resp->transfer_page->next_before_id));
	}
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/* count show ID, transfer show ID */
static int show_id(KassaClient *kc, const Args *a, const char *cmd, bool transfer)
{
	KcCountReq r;
	int64_t id;
	char use[32];

	snprintf(use, sizeof(use), "%s ID", cmd);
	if (a->n != 1 || !arg_id(a, 0, &id))
		return bad_usage(cmd, use);
	kc_count_req_init(&r);
	if (transfer)
		kc_transfer_req_get(&r, id);
	else
		kc_count_req_get(&r, id);
	return count_run(kc, cmd, &r, NULL);
}

int cmd_count_show(KassaClient *kc, const Args *a)
{
	return show_id(kc, a, "count show", false);
}

int cmd_count_post(KassaClient *kc, const Args *a)
{
	const char *w = arg_word(a, 1);
	KcCountReq r;
	int64_t id;

	if (a->n < 1 || a->n > 2 || !arg_id(a, 0, &id) ||
	    (a->n == 2 && (w == NULL || strcmp(w, "cancel") != 0)))
		return bad_usage("count post", "count post ID [cancel]");
	kc_count_req_init(&r);
	kc_count_req_post(&r, id, a->n == 2, NULL);
	return count_run(kc, "count post", &r, r.key);
}

/* SKU=QTY arguments other than the named keys as items; false if one is bad. */
static bool count_items(KcCountReq *r, const Args *a, int from, const char *const *named)
{
	for (int i = from; i < a->n; i++) {
		bool skip = false;

		if (a->vals[i] == NULL)
			return false;
		for (const char *const *k = named; *k != NULL; k++)
			skip = skip || strcmp(a->keys[i], *k) == 0;
		if (!skip && !kc_transfer_item(r, a->keys[i], a->vals[i]))
			return false;
	}
	return true;
}

int cmd_transfer_send(KassaClient *kc, const Args *a)
{
	static const char *const named[] = { "to", "from", "note", NULL };
	const char *use = "transfer send to=STORE SKU=QTY... [from=STORE] [note=TEXT]";
	KcCountReq r;

	kc_count_req_init(&r);
	if (arg_get(a, "to") == NULL || !count_items(&r, a, 0, named) || r.n_items == 0)
		return bad_usage("transfer send", use);
	kc_transfer_req_send(&r, arg_get(a, "to"), arg_get(a, "from"), arg_get(a, "note"), NULL);
	return count_run(kc, "transfer send", &r, r.key);
}

int cmd_transfer_receive(KassaClient *kc, const Args *a)
{
	static const char *const named[] = { NULL };
	KcCountReq r;
	int64_t id;

	kc_count_req_init(&r);
	if (a->n < 1 || !arg_id(a, 0, &id) || !count_items(&r, a, 1, named))
		return bad_usage("transfer receive", "transfer receive ID [SKU=QTY...]");
	kc_transfer_req_receive(&r, id, NULL);
	return count_run(kc, "transfer receive", &r, r.key);
}

int cmd_transfer_show(KassaClient *kc, const Args *a)
{
	return show_id(kc, a, "transfer show", true);
}

int cmd_transfer_list(KassaClient *kc, const Args *a)
{
	const char *use = "transfer list [store=ID] [state=sent|received] [limit=N] [before=ID]";
	const char *store = arg_get(a, "store"), *limit = arg_get(a, "limit");
	const char *before = arg_get(a, "before"), *state = arg_get(a, "state");
	int64_t s = 0, l = 0, b = 0;
	int given = (store != NULL) + (limit != NULL) + (before != NULL) + (state != NULL);
	KcCountReq r;

	if (given != a->n || (store != NULL && !kc_parse_i64(store, &s)) ||
	    (limit != NULL && (!kc_parse_i64(limit, &l) || l < 1 || l > 200)) ||
	    (before != NULL && !kc_parse_i64(before, &b)))
		return bad_usage("transfer list", use);
	kc_count_req_init(&r);
	kc_transfer_req_list(&r, s, state, (int32_t)l, b);
	return count_run(kc, "transfer list", &r, NULL);
}

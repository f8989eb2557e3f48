/* SPDX-License-Identifier: Apache-2.0 */
/*
 * till_cmds.c: kassa-office's commands of store operations, part "tills";
 * listed in store_ops.c. Head office registers the till whose certificate
 * kassa-ca issued, moves it, deactivates or reactivates it, and lists the
 * tills (docs/store/tills.md):
 *
 *	till put CODE store=ID [kind=till|office|bench] [active=yes|no]
 *	till list [store=ID]
 *
 * Each prints one JSON object; every argument is checked before anything
 * is sent, and kassad checks them again.
 */
#include <string.h>

#include "i18n.h"
#include "kc_json.h"
#include "till_cmds.h"

#define TILL_PUT_USAGE "till put CODE [store=ID] [kind=till|office|bench] [active=yes|no]"
#define TILL_LIST_USAGE "till list [store=ID]"

static json_t *till_json(const Kassa__V1__TillInfo *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "till_id", json_integer(t->till_id));
	json_object_set_new(o, "code", json_string(t->code));
	json_object_set_new(o, "store_id", json_integer(t->store_id));
	json_object_set_new(o, "store_code", json_string(t->store_code));
	json_object_set_new(o, "kind", json_string(t->kind));
	json_object_set_new(o, "active", json_boolean(t->active));
	json_object_set_new(o, "created_at", json_string(t->created_at));
	return o;
}

/* store=ID among a into *id (0 when not given); false if it is not a positive id. */
static bool store_arg(const Args *a, int64_t *id)
{
	const char *v = arg_get(a, "store");

	*id = 0;
	return v == NULL || (kc_parse_i64(v, id) && *id > 0);
}

/* Only the keys named in keys (NULL-ended) and plain words up to words may appear. */
static bool args_known(const Args *a, int words, const char *const *keys)
{
	for (int i = 0; i < a->n; i++) {
		bool ok = a->vals[i] == NULL && i < words;

		for (const char *const *k = keys; !ok && a->vals[i] != NULL && *k; k++)
			ok = strcmp(a->keys[i], *k) == 0;
		if (!ok)
			return false;
	}
	return true;
}

/* active=yes|no into *act (KEEP when not given); false if it is something else. */
static bool active_arg(const Args *a, Kassa__V1__TillActive *act)
{
	const char *v = arg_get(a, "active");

	*act = KASSA__V1__TILL_ACTIVE__TILL_ACTIVE_KEEP;
	if (v == NULL)
		return true;
	if (strcmp(v, "yes") == 0)
		*act = KASSA__V1__TILL_ACTIVE__TILL_ACTIVE_YES;
	else if (strcmp(v, "no") == 0)
		*act = KASSA__V1__TILL_ACTIVE__TILL_ACTIVE_NO;
	else
		return false;
	return true;
}

int cmd_till_put(KassaClient *kc, const Args *a)
{
	static const char *const keys[] = { "store", "kind", "active", NULL };
	const char *cmd = "till put";
	Kassa__V1__Response *resp = NULL;
	KcTillPut t = { 0 };
	char key[KC_KEY_LEN];
	int code = OFFICE_EXIT_OK;
	json_t *o;

	t.code = arg_word(a, 0);
	t.kind = arg_get(a, "kind");
	if (t.code == NULL || !args_known(a, 1, keys))
		return bad_usage(cmd, TILL_PUT_USAGE);
	if (!store_arg(a, &t.store_id)) {
		kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "BAD_STORE", _("give a store id")));
		return OFFICE_EXIT_FAILED;
	}
	if (!active_arg(a, &t.active)) {
		kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "BAD_ACTIVE",
				  _("active is yes or no")));
		return OFFICE_EXIT_FAILED;
	}
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_till_put(kc, &t, key, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_TILL_INFO, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "created", json_boolean(resp->till_info->created));
	json_object_set_new(o, "till", till_json(resp->till_info));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

int cmd_till_list(KassaClient *kc, const Args *a)
{
	static const char *const keys[] = { "store", NULL };
	const char *cmd = "till list";
	Kassa__V1__Response *resp = NULL;
	int64_t store;
	int code = OFFICE_EXIT_OK;
	json_t *o, *arr;

	if (!args_known(a, 0, keys))
		return bad_usage(cmd, TILL_LIST_USAGE);
	if (!store_arg(a, &store)) {
		kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "BAD_STORE", _("give a store id")));
		return OFFICE_EXIT_FAILED;
	}
	if (!office_result(kc, cmd, kc_till_list(kc, store, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_TILL_ROSTER, &code))
		return code;
	o = kcj_ok(cmd);
	arr = json_array();
	for (size_t i = 0; i < resp->till_roster->n_tills; i++)
		json_array_append_new(arr, till_json(resp->till_roster->tills[i]));
	json_object_set_new(o, "tills", arr);
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * org_cmds.c: kassa-office's commands of stores and staff (store
 * operations, part "org"; listed in store_ops.c):
 *
 *   store put CODE [name=TEXT] [currency=CNY] [timezone=Asia/Shanghai]
 *                  [negative_stock=yes|no]     create or update
 *   store add CODE name=TEXT [...]            create only (a taken code fails)
 *   store list
 *   staff add [ID] name=TEXT role=cashier|manager|analyst|admin [store=ID|0]
 *   staff set ID [name=TEXT] [role=ROLE] [store=ID|0]
 *   staff disable ID | staff enable ID
 *   staff list [store=ID]
 *   staff pin-reset ID
 *
 * A new PIN (staff add, staff pin-reset) is never a command-line word,
 * which other users see in the process list: it is read from KASSA_NEW_PIN
 * or else from the first line of stdin (without echo on a terminal). Each
 * prints one JSON object: {"ok":true,"cmd":..,"idempotency_key":..,
 * "store":{..}} / "staff":{..}, or "stores":[..] / "staff":[..] for a list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "i18n.h"
#include "kc_json.h"
#include "kc_org.h"
#include "office.h"
#include "org_cmds.h"

#define NEW_PIN_MAX 16

/* False (after bad_usage()) if a has a key=value not in keys (NULL-ended) or a word past words. */
static bool args_only(const Args *a, int words, const char *const *keys)
{
	for (int i = 0; i < a->n; i++) {
		bool known = a->vals[i] == NULL && i < words;

		for (const char *const *k = keys; !known && *k; k++)
			known = a->vals[i] != NULL && strcmp(a->keys[i], *k) == 0;
		if (!known)
			return false;
	}
	return true;
}

static json_t *store_json(const Kassa__V1__StoreInfo *s)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:b}", "store_id", (json_int_t)s->store_id,
			 "code", s->code, "name", s->name, "currency", s->currency,
			 "timezone", s->timezone, "negative_stock", s->negative_stock);
}

static json_t *staff_json(const Kassa__V1__StaffMember *m)
{
	return json_pack("{s:I,s:s,s:s,s:I,s:s,s:b,s:b}", "staff_id", (json_int_t)m->staff_id,
			 "name", m->name, "role", m->role, "store_id", (json_int_t)m->store_id,
			 "store", m->store_code, "active", m->active, "locked", m->locked);
}

/* ---- stores ---- */

static int store_put_run(KassaClient *kc, const Args *a, const char *cmd, bool create)
{
	static const char *const keys[] = { "name", "currency", "timezone", "negative_stock", NULL };
	Kassa__V1__StorePut p = KASSA__V1__STORE_PUT__INIT;
	Kassa__V1__Response *resp = NULL;
	const char *neg = arg_get(a, "negative_stock");
	int code = OFFICE_EXIT_OK;
	char key[KC_KEY_LEN];
	json_t *o;

	if (arg_word(a, 0) == NULL || !args_only(a, 1, keys) ||
	    (neg && strcmp(neg, "yes") != 0 && strcmp(neg, "no") != 0) ||
	    (create && arg_get(a, "name") == NULL))
		return bad_usage(cmd, create ? "store add CODE name=TEXT [currency=CNY] "
				 "[timezone=Asia/Shanghai] [negative_stock=yes|no]" :
				 "store put CODE [name=TEXT] [currency=CNY] "
				 "[timezone=Asia/Shanghai] [negative_stock=yes|no]");
	p.code = (char *)arg_word(a, 0);
	p.name = (char *)(arg_get(a, "name") ? arg_get(a, "name") : "");
	p.currency = (char *)(arg_get(a, "currency") ? arg_get(a, "currency") : "");
	p.timezone = (char *)(arg_get(a, "timezone") ? arg_get(a, "timezone") : "");
	p.negative_stock = neg == NULL ? KASSA__V1__ORG_SWITCH__ORG_SWITCH_KEEP :
			   strcmp(neg, "yes") == 0 ? KASSA__V1__ORG_SWITCH__ORG_SWITCH_ON :
			   KASSA__V1__ORG_SWITCH__ORG_SWITCH_OFF;
	p.create = create;
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_store_put(kc, &p, key, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_STORE_INFO, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "created", json_boolean(resp->store_info->created));
	json_object_set_new(o, "store", store_json(resp->store_info));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

int cmd_store_put(KassaClient *kc, const Args *a)
{
	return store_put_run(kc, a, "store put", false);
}

int cmd_store_add(KassaClient *kc, const Args *a)
{
	return store_put_run(kc, a, "store add", true);
}

int cmd_store_list(KassaClient *kc, const Args *a)
{
	const char *cmd = "store list";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	json_t *o, *arr;

	if (a->n != 0)
		return bad_usage(cmd, "store list");
	if (!office_result(kc, cmd, kc_store_list(kc, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_STORE_ROSTER, &code))
		return code;
	o = kcj_ok(cmd);
	arr = json_array();
	for (size_t i = 0; i < resp->store_roster->n_stores; i++)
		json_array_append_new(arr, store_json(resp->store_roster->stores[i]));
	json_object_set_new(o, "stores", arr);
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/* ---- staff ---- */

/*
 * The new PIN from KASSA_NEW_PIN, or the first line of stdin (no echo on
 * a terminal); false if there is none or it is too long.
 */
static bool new_pin(char out[NEW_PIN_MAX + 2])
{
	const char *env = getenv("KASSA_NEW_PIN");
	struct termios t0, t1;
	bool tty = isatty(STDIN_FILENO) != 0, got;

	if (env != NULL) {
		if (strlen(env) > NEW_PIN_MAX)
			return false;
		snprintf(out, NEW_PIN_MAX + 2, "%s", env);
		return true;
	}
	if (tty) {
		fprintf(stderr, "%s", _("New PIN: "));
		tcgetattr(STDIN_FILENO, &t0);
		t1 = t0;
		t1.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &t1);
	}
	got = fgets(out, NEW_PIN_MAX + 2, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &t0);
		fputc('\n', stderr);
	}
	if (!got)
		return false;
	out[strcspn(out, "\r\n")] = '\0';
	return true;
}

/* Send p and print the member; the PIN in pin (if any) is wiped. */
static int staff_put_send(KassaClient *kc, const char *cmd, Kassa__V1__StaffPut *p, char *pin)
{
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	char key[KC_KEY_LEN];
	KcResult r;
	json_t *o;

	kc_new_key(key);
	r = kc_staff_put(kc, p, key, &resp);
	if (pin)
		memset(pin, 0, strlen(pin));
	if (!office_result(kc, cmd, r, &resp, KASSA__V1__RESPONSE__BODY_STAFF_MEMBER, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "created", json_boolean(resp->staff_member->created));
	json_object_set_new(o, "staff", staff_json(resp->staff_member));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/* name=, role=, store= of a into p; false if store= is not a number >= 0. */
static bool staff_fields(const Args *a, Kassa__V1__StaffPut *p)
{
	const char *store = arg_get(a, "store");

	p->name = (char *)(arg_get(a, "name") ? arg_get(a, "name") : "");
	p->role = (char *)(arg_get(a, "role") ? arg_get(a, "role") : "");
	if (store == NULL)
		return true;
	p->set_store = true;
	return kc_parse_i64(store, &p->store_id) && p->store_id >= 0;
}

int cmd_staff_add(KassaClient *kc, const Args *a)
{
	static const char *const keys[] = { "name", "role", "store", NULL };
	const char *cmd = "staff add";
	Kassa__V1__StaffPut p = KASSA__V1__STAFF_PUT__INIT;
	char pin[NEW_PIN_MAX + 2];
	int words = arg_word(a, 0) ? 1 : 0;

	if (!args_only(a, words, keys) || (words && !arg_id(a, 0, &p.staff_id)) ||
	    !staff_fields(a, &p) || p.name[0] == '\0' || p.role[0] == '\0')
		return bad_usage(cmd, "staff add [ID] name=TEXT role=cashier|manager|analyst|admin "
				 "[store=ID|0] (the PIN from KASSA_NEW_PIN or stdin)");
	if (!new_pin(pin))
		return bad_usage(cmd, _("give the new PIN in KASSA_NEW_PIN or on stdin"));
	p.create = true;
	p.pin = pin;
	return staff_put_send(kc, cmd, &p, pin);
}

int cmd_staff_set(KassaClient *kc, const Args *a)
{
	static const char *const keys[] = { "name", "role", "store", NULL };
	const char *cmd = "staff set";
	Kassa__V1__StaffPut p = KASSA__V1__STAFF_PUT__INIT;

	if (!args_only(a, 1, keys) || !arg_id(a, 0, &p.staff_id) || !staff_fields(a, &p) ||
	    a->n < 2)
		return bad_usage(cmd, "staff set ID [name=TEXT] [role=ROLE] [store=ID|0]");
	return staff_put_send(kc, cmd, &p, NULL);
}

static int staff_active(KassaClient *kc, const Args *a, const char *cmd, bool on)
{
	Kassa__V1__StaffPut p = KASSA__V1__STAFF_PUT__INIT;

	if (a->n != 1 || !arg_id(a, 0, &p.staff_id))
		return bad_usage(cmd, on ? "staff enable ID" : "staff disable ID");
	p.active = on ? KASSA__V1__ORG_SWITCH__ORG_SWITCH_ON : KASSA__V1__ORG_SWITCH__ORG_SWITCH_OFF;
	return staff_put_send(kc, cmd, &p, NULL);
}

int cmd_staff_disable(KassaClient *kc, const Args *a)
{
	return staff_active(kc, a, "staff disable", false);
}

int cmd_staff_enable(KassaClient *kc, const Args *a)
{
	return staff_active(kc, a, "staff enable", true);
}

int cmd_staff_list(KassaClient *kc, const Args *a)
{
	static const char *const keys[] = { "store", NULL };
	const char *cmd = "staff list", *store = arg_get(a, "store");
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	int64_t store_id = 0;
	json_t *o, *arr;

	if (!args_only(a, 0, keys) || (store && (!kc_parse_i64(store, &store_id) || store_id < 0)))
		return bad_usage(cmd, "staff list [store=ID]");
	if (!office_result(kc, cmd, kc_staff_list(kc, store_id, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_STAFF_ROSTER, &code))
		return code;
	o = kcj_ok(cmd);
	arr = json_array();
	for (size_t i = 0; i < resp->staff_roster->n_staff; i++)
		json_array_append_new(arr, staff_json(resp->staff_roster->staff[i]));
	json_object_set_new(o, "staff", arr);
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

int cmd_staff_pin_reset(KassaClient *kc, const Args *a)
{
	const char *cmd = "staff pin-reset";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	char key[KC_KEY_LEN], pin[NEW_PIN_MAX + 2];
	int64_t staff_id;
	KcResult r;
	json_t *o;

	if (a->n != 1 || !arg_id(a, 0, &staff_id))
		return bad_usage(cmd, "staff pin-reset ID (the PIN from KASSA_NEW_PIN or stdin)");
	if (!new_pin(pin))
		return bad_usage(cmd, _("give the new PIN in KASSA_NEW_PIN or on stdin"));
	kc_new_key(key);
	r = kc_staff_pin_reset(kc, staff_id, pin, key, &resp);
	memset(pin, 0, sizeof(pin));
	if (!office_result(kc, cmd, r, &resp, KASSA__V1__RESPONSE__BODY_STAFF_MEMBER, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "staff", staff_json(resp->staff_member));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

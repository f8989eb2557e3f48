/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_member: kassa-till's member commands (member register, find,
 * search, update) and coupon claim, the member's coupon brought to the
 * counter as a claim code. Members are shown with the masked phone only.
 * See script_cmds.h for what the command files share.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "kc_json.h"
#include "kc_options.h"
#include "script_cmds.h"

#define SCRIPT_MAX_TAGS 32

/* Print {"ok":true,...,"member":{...}} for a response carrying a Member; frees resp. */
static void emit_member(Till *t, const Cmd *c, Kassa__V1__Response *resp)
{
	json_t *o;

	if (!script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_MEMBER))
		return;
	o = kcj_ok(c->name);
	json_object_set_new(o, "member", kcj_member(resp->member, false));
	kcj_emit(o);
	kc_response_free(resp);
}

/*
 * Set one member field from key=val on m. *proto_name gets the
 * MemberRegister field name (for MemberUpdate.fields). val is modified
 * (tags are split at commas in place); tags points into tag storage.
 */
static bool member_field(Kassa__V1__MemberRegister *m, const char *key, char *val,
			 char **tags, const char **proto_name, const char **why)
{
	*why = NULL;
	if (strcmp(key, "name") == 0) {
		m->name = val;
		*proto_name = "name";
	} else if (strcmp(key, "phone") == 0) {
		m->phone = val;
		*proto_name = "phone";
	} else if (strcmp(key, "card") == 0 || strcmp(key, "card_no") == 0) {
		m->card_no = val;
		*proto_name = "card_no";
	} else if (strcmp(key, "birthday") == 0) {
		m->birthday = val;
		*proto_name = "birthday";
	} else if (strcmp(key, "email") == 0) {
		m->email = val;
		*proto_name = "email";
	} else if (strcmp(key, "address") == 0) {
		m->address = val;
		*proto_name = "address";
	} else if (strcmp(key, "notes") == 0) {
		m->notes = val;
		*proto_name = "notes";
	} else if (strcmp(key, "gender") == 0) {
		*proto_name = "gender";
		if (strcmp(val, "f") == 0)
			m->gender = KASSA__V1__GENDER__GENDER_FEMALE;
		else if (strcmp(val, "m") == 0)
			m->gender = KASSA__V1__GENDER__GENDER_MALE;
		else if (strcmp(val, "o") == 0)
			m->gender = KASSA__V1__GENDER__GENDER_OTHER;
		else if (*val == '\0')
			m->gender = KASSA__V1__GENDER__GENDER_UNSPECIFIED;
		else
			*why = "gender must be f, m or o";
	} else if (strcmp(key, "channel") == 0 || strcmp(key, "preferred_channel") == 0) {
		*proto_name = "preferred_channel";
		if (strcmp(val, "sms") == 0)
			m->preferred_channel = KASSA__V1__CHANNEL__CHANNEL_SMS;
		else if (strcmp(val, "email") == 0)
			m->preferred_channel = KASSA__V1__CHANNEL__CHANNEL_EMAIL;
		else if (strcmp(val, "wechat") == 0)
			m->preferred_channel = KASSA__V1__CHANNEL__CHANNEL_WECHAT;
		else if (*val == '\0')
			m->preferred_channel = KASSA__V1__CHANNEL__CHANNEL_UNSPECIFIED;
		else
			*why = "channel must be sms, email or wechat";
	} else if (strcmp(key, "consent") == 0 || strcmp(key, "marketing_consent") == 0) {
		*proto_name = "marketing_consent";
		if (strcmp(val, "yes") == 0)
			m->marketing_consent = true;
		else if (strcmp(val, "no") == 0)
			m->marketing_consent = false;
		else
			*why = "consent must be yes or no";
	} else if (strcmp(key, "language") == 0 || strcmp(key, "lang") == 0) {
		*proto_name = "language";
		m->language = val;	/* zh_CN or en: the server says if it is neither */
	} else if (strcmp(key, "tags") == 0) {
		char *p = val, *comma;

		*proto_name = "tags";
		m->n_tags = 0;
		m->tags = tags;
		while (*p != '\0') {
			if (m->n_tags == SCRIPT_MAX_TAGS) {
				*why = "too many tags";
				break;
			}
			comma = strchr(p, ',');
			if (comma != NULL)
				*comma = '\0';
			if (*p != '\0')
				tags[m->n_tags++] = p;
			if (comma == NULL)
				break;
			p = comma + 1;
		}
	} else {
		*why = "unknown field";
	}
	return *why == NULL;
}

void cmd_member_register(Till *t, const Cmd *c)
{
	Kassa__V1__MemberRegister m = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *resp = NULL;
	char *tags[SCRIPT_MAX_TAGS];
	const char *pname, *why;
	char msg[160];
	KcReq rq;
	int i;

	for (i = c->first; i < c->n; i++) {
		if (c->vals[i] == NULL) {
			script_usage(t, c, "member register name=... phone=... [field=value ...]");
			return;
		}
		if (!member_field(&m, c->keys[i], c->vals[i], tags, &pname, &why)) {
			snprintf(msg, sizeof(msg), "%s: %s", c->keys[i], why);
			script_fail(t, c, "INVALID_ARGUMENT", "BAD_FIELD", msg);
			return;
		}
	}
	if (arg_get(c, "name") == NULL || arg_get(c, "phone") == NULL) {
		script_usage(t, c, "member register needs name=... and phone=...");
		return;
	}
	kc_req_member_register(&rq, &m, NULL);
	if (!script_answered_ok(t, c, script_call(t, &rq, &resp), &resp))
		return;
	emit_member(t, c, resp);
}

void cmd_member_update(Till *t, const Cmd *c)
{
	Kassa__V1__MemberRegister m = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *resp = NULL;
	const char *fields[SCRIPT_MAX_WORDS];
	char *tags[SCRIPT_MAX_TAGS];
	const char *pname, *why;
	size_t nfields = 0;
	int64_t id = 0;
	char msg[160];
	KcReq rq;
	KcResult r;
	int i;

	for (i = c->first; i < c->n; i++) {
		if (c->vals[i] == NULL) {
			script_usage(t, c, "member update id=N field=value ...");
			return;
		}
		if (strcmp(c->keys[i], "id") == 0) {
			if (!kc_parse_i64(c->vals[i], &id)) {
				script_usage(t, c, "member update id=N field=value ...");
				return;
			}
			continue;
		}
		if (!member_field(&m, c->keys[i], c->vals[i], tags, &pname, &why)) {
			snprintf(msg, sizeof(msg), "%s: %s", c->keys[i], why);
			script_fail(t, c, "INVALID_ARGUMENT", "BAD_FIELD", msg);
			return;
		}
		fields[nfields++] = pname;
	}
	if (id <= 0 || nfields == 0) {
		script_usage(t, c, "member update id=N field=value ...");
		return;
	}
	kc_req_member_update(&rq, id, &m, fields, nfields, NULL);
	r = script_call(t, &rq, &resp);
	if (!script_answered_ok(t, c, r, &resp))
		return;
	emit_member(t, c, resp);
}

/* See script_cmds.h. */
bool script_member_lookup(Till *t, const Cmd *c, bool allow_word, Kassa__V1__Response **resp)
{
	const char *v;
	int64_t id;
	KcReq rq;
	KcResult r;

	*resp = NULL;
	if (arg_count(c) != 1) {
		script_usage(t, c, "give exactly one of phone=, card=, id=, qr=");
		return false;
	}
	if ((v = arg_get(c, "phone")) != NULL) {
		kc_req_member_get_by_phone(&rq, v);
	} else if ((v = arg_get(c, "card")) != NULL) {
		kc_req_member_get_by_card(&rq, v);
	} else if ((v = arg_get(c, "qr")) != NULL) {
		kc_req_member_get_by_qr(&rq, v);
	} else if ((v = arg_get(c, "id")) != NULL ||
		   (allow_word && (v = arg_word(c, 0)) != NULL)) {
		if (!kc_parse_i64(v, &id)) {
			script_usage(t, c, "member id must be a number");
			return false;
		}
		kc_req_member_get_by_id(&rq, id);
	} else {
		script_usage(t, c, "give exactly one of phone=, card=, id=, qr=");
		return false;
	}
	r = script_call(t, &rq, resp);
	if (!script_answered_ok(t, c, r, resp))
		return false;
	if (!script_has_body(t, c, *resp, KASSA__V1__RESPONSE__BODY_MEMBER)) {
		*resp = NULL;
		return false;
	}
	return true;
}

void cmd_member_find(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp;

	if (script_member_lookup(t, c, false, &resp))
		emit_member(t, c, resp);
}

void cmd_member_search(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	const char *name = arg_get(c, "name"), *phone = arg_get(c, "phone");
	const char *lim = arg_get(c, "limit");
	int64_t limit = 0;
	json_t *o, *arr;
	KcReq rq;
	KcResult r;
	size_t i;

	if ((name == NULL) == (phone == NULL) || arg_count(c) != (lim != NULL ? 2 : 1) ||
	    (lim != NULL && (!kc_parse_i64(lim, &limit) || limit > UINT32_MAX))) {
		script_usage(t, c, "member search name=PREFIX|phone=SUFFIX [limit=N]");
		return;
	}
	if (name != NULL)
		kc_req_member_search_name(&rq, name, (uint32_t)limit);
	else
		kc_req_member_search_phone(&rq, phone, (uint32_t)limit);
	r = script_call(t, &rq, &resp);
	if (!script_answered_ok(t, c, r, &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_MEMBER_LIST))
		return;
	o = kcj_ok(c->name);
	arr = json_array();
	for (i = 0; i < resp->member_list->n_members; i++)
		json_array_append_new(arr, kcj_member(resp->member_list->members[i], false));
	json_object_set_new(o, "count", json_integer((json_int_t)resp->member_list->n_members));
	json_object_set_new(o, "members", arr);
	kcj_emit(o);
	kc_response_free(resp);
}

/* ---- coupons ---- */

/* coupon claim MEMBER_ID CODE: the member brought a claim code; issue its coupon. */
void cmd_coupon_claim(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	const char *code = arg_word(c, 1);
	int64_t member_id;
	int before = script_reconnects(t);
	KcReq rq;
	json_t *o;

	if (arg_count(c) != 2 || code == NULL || !kc_parse_i64(arg_word(c, 0), &member_id) ||
	    member_id <= 0) {
		script_usage(t, c, "coupon claim MEMBER_ID CODE");
		return;
	}
	kc_req_coupon_issue(&rq, member_id, 0, code, NULL);
	if (!script_answered_ok(t, c, script_call(t, &rq, &resp), &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_COUPON))
		return;
	o = script_ok_keyed(t, c, rq.req.idempotency_key, before);
	json_object_set_new(o, "member_id", json_integer(member_id));
	json_object_set_new(o, "coupon", kcj_coupon(resp->coupon));
	kcj_emit(o);
	kc_response_free(resp);
}


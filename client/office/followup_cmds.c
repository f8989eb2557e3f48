/* SPDX-License-Identifier: Apache-2.0 */
/*
 * followup_cmds.c: kassa-office's follow-ups (回访), points adjustments
 * and coupon definition changes:
 *
 *   followup rules
 *   followup set-rules FILE.json
 *   followup list [store=ID] [staff=ID] [state=due|overdue|open|done|all] [limit=N] [after=C]
 *   followup record ID [outcome=reached|no_answer|declined] [note=TEXT] [assign=STAFF]
 *   points adjust MEMBER POINTS reason=TEXT   (or --reason TEXT)
 *   coupon deactivate DEF
 *   coupon edit DEF FIELD=VALUE...           (the fields of `coupon define`)
 *
 * The list and record words are kc_fup_parse()'s (kc_followups.h, shared
 * with the till's script). FILE.json is {"rules":[{"name","kind","days",
 * "min_total_minor","member_class","active","due_days"}]} (or the array
 * alone), the form `followup rules` prints. An edit's replacement is a
 * whole definition, read as `coupon define` reads one. The list is a
 * ReportTable written as --format says; the rest print one JSON object.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "i18n.h"
#include "kc_followups.h"
#include "kc_json.h"
#include "office.h"
#include "report_render.h"

#define FUP_RULES_MAX 50

static json_t *rules_json(const Kassa__V1__FollowupRules *fr)
{
	json_t *o = json_object(), *v = json_array();

	for (size_t i = 0; i < fr->n_rules; i++) {
		const Kassa__V1__FollowupRule *r = fr->rules[i];

		json_array_append_new(v, json_pack("{s:s,s:s,s:i,s:I,s:s,s:b,s:i}", "name", r->name,
						   "kind", r->kind, "days", (int)r->days,
						   "min_total_minor", (json_int_t)r->min_total_minor,
						   "member_class", r->member_class, "active",
						   r->active, "due_days", (int)r->due_days));
	}
	json_object_set_new(o, "version", json_integer(fr->version));
	json_object_set_new(o, "created_at", json_string(fr->created_at));
	json_object_set_new(o, "rules", v);
	return o;
}

static int rules_answer(KassaClient *kc, const char *cmd, KcResult res,
			Kassa__V1__Response **resp, const char *key)
{
	int code = OFFICE_EXIT_OK;
	json_t *o;

	if (!office_result(kc, cmd, res, resp, KASSA__V1__RESPONSE__BODY_FOLLOWUP_RULES, &code))
		return code;
	o = key != NULL ? ok_keyed(cmd, key) : kcj_ok(cmd);
	json_object_set_new(o, "rules", rules_json((*resp)->followup_rules));
	kcj_emit(o);
	kc_response_free(*resp);
	return code;
}

int cmd_followup_rules(KassaClient *kc, const Args *a)
{
	Kassa__V1__Response *resp = NULL;

	if (a->n != 0)
		return bad_usage("followup rules", "followup rules");
	return rules_answer(kc, "followup rules", kc_followup_rules_get(kc, &resp), &resp, NULL);
}

/* One rule from its JSON object into r (strings borrowed from o); false if mistyped. */
static bool rule_from_json(json_t *o, Kassa__V1__FollowupRule *r)
{
	json_t *active = json_object_get(o, "active");
	const char *cls = json_string_value(json_object_get(o, "member_class"));

	kassa__v1__followup_rule__init(r);
	if (!json_is_object(o) || !json_is_string(json_object_get(o, "name")) ||
	    !json_is_string(json_object_get(o, "kind")) ||
	    !json_is_integer(json_object_get(o, "days")) || (active && !json_is_boolean(active)))
		return false;
	r->name = (char *)json_string_value(json_object_get(o, "name"));
	r->kind = (char *)json_string_value(json_object_get(o, "kind"));
	r->days = (int32_t)json_integer_value(json_object_get(o, "days"));
	r->min_total_minor = json_integer_value(json_object_get(o, "min_total_minor"));
	r->member_class = (char *)(cls != NULL ? cls : "");
	r->active = active == NULL || json_is_true(active);
	r->due_days = (int32_t)json_integer_value(json_object_get(o, "due_days"));
	return true;
}

int cmd_followup_set_rules(KassaClient *kc, const Args *a)
{
	const char *cmd = "followup set-rules", *file = arg_word(a, 0);
	Kassa__V1__FollowupRule v[FUP_RULES_MAX], *p[FUP_RULES_MAX];
	Kassa__V1__Response *resp = NULL;
	char key[KC_KEY_LEN];
	json_error_t err;
	json_t *doc, *arr;
	size_t n;
	int code;

	if (a->n != 1 || file == NULL)
		return bad_usage(cmd, "followup set-rules FILE.json");
	if ((doc = json_load_file(file, 0, &err)) == NULL) {
		kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "BAD_FILE", err.text));
		return OFFICE_EXIT_USAGE;
	}
	arr = json_is_array(doc) ? doc : json_object_get(doc, "rules");
	n = json_array_size(arr);
	for (size_t i = 0; i < n && i < FUP_RULES_MAX; i++) {
		p[i] = &v[i];
		if (!rule_from_json(json_array_get(arr, i), &v[i])) {
			json_decref(doc);
			kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "BAD_RULE",
					  _("each rule needs a name, a kind and days")));
			return OFFICE_EXIT_USAGE;
		}
	}
	if (!json_is_array(arr) || n > FUP_RULES_MAX) {
		json_decref(doc);
		kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "BAD_RULES",
				  _("the file holds {\"rules\": [...]} of at most 50 rules")));
		return OFFICE_EXIT_USAGE;
	}
	kc_new_key(key);
	code = rules_answer(kc, cmd, kc_followup_rules_put(kc, p, n, key, &resp), &resp, key);
	json_decref(doc);
	return code;
}

static const struct {
	const char *key, *label;	/* label: N_(), translated at use */
} fup_labels[] = {
	{ "followup_id", N_("Follow-up") }, { "due_on", N_("Due on") },
	{ "status", N_("Status") }, { "kind", N_("Kind") }, { "rule", N_("Rule") },
	{ "store", N_("Store") }, { "staff_id", N_("Staff") }, { "member_id", N_("Member") },
	{ "name", N_("Name") }, { "phone", N_("Phone") }, { "txn_id", N_("Sale") },
	{ "complaint_id", N_("Complaint") }, { "attempts", N_("Attempts") },
	{ "outcome", N_("Outcome") }, { "note", N_("Note") }, { "followups", N_("Follow-ups") },
};

static const char *fup_label(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(fup_labels); i++)
		if (strcmp(fup_labels[i].key, key) == 0)
			return _(fup_labels[i].label);
	return key;
}

/* t for people: the column keys and the title in the user's language. */
static bool fup_table(FILE *out, const Kassa__V1__ReportTable *t)
{
	Kassa__V1__ReportTable h = *t;
	Kassa__V1__ReportColumn cols[ARRAY_SIZE(fup_labels)], *colp[ARRAY_SIZE(fup_labels)];

	if (t->n_columns > ARRAY_SIZE(fup_labels))
		return report_render_table(out, t);
	for (size_t i = 0; i < t->n_columns; i++) {
		cols[i] = *t->columns[i];
		cols[i].key = (char *)fup_label(t->columns[i]->key);
		colp[i] = &cols[i];
	}
	h.columns = colp;
	h.report = (char *)fup_label(t->report);
	return report_render_table(out, &h);
}

int cmd_followup_list(KassaClient *kc, const Args *a)
{
	const char *cmd = "followup list", *use;
	Kassa__V1__Response *resp = NULL;
	KcFupReq r;
	int code = OFFICE_EXIT_OK;

	if ((use = kc_fup_parse(&r, KC_FUP_LIST, a->keys, a->vals, a->n)) != NULL)
		return bad_usage(cmd, use);
	if (!office_result(kc, cmd, kc_call(kc, &r.req, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_REPORT_TABLE, &code))
		return code;
	code = office_write_table(cmd, resp->report_table, fup_table);
	kc_response_free(resp);
	return code;
}

int cmd_followup_record(KassaClient *kc, const Args *a)
{
	const char *cmd = "followup record", *use;
	Kassa__V1__Response *resp = NULL;
	KcFupReq r;
	int code = OFFICE_EXIT_OK;
	json_t *o;

	if ((use = kc_fup_parse(&r, KC_FUP_RECORD, a->keys, a->vals, a->n)) != NULL)
		return bad_usage(cmd, use);
	if (!office_result(kc, cmd, kc_call(kc, &r.req, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_FOLLOWUP, &code))
		return code;
	o = ok_keyed(cmd, r.req.idempotency_key);
	json_object_set_new(o, "followup", kc_followup_json(resp->followup));
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

int cmd_points_adjust(KassaClient *kc, const Args *a)
{
	const char *cmd = "points adjust", *use;
	Kassa__V1__Response *resp = NULL;
	Args w = *a;		/* --reason TEXT (an option of kassa-office's) as reason=TEXT */
	KcFupReq r;
	int code = OFFICE_EXIT_OK;
	json_t *o;

	if (office_rights.reason != NULL && w.n < OFFICE_MAX_ARGS) {
		w.keys[w.n] = "reason";
		w.vals[w.n++] = (char *)office_rights.reason;
	}
	if ((use = kc_fup_parse(&r, KC_FUP_POINTS, w.keys, w.vals, w.n)) != NULL)
		return bad_usage(cmd, use);
	if (!office_result(kc, cmd, kc_call(kc, &r.req, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_POINTS_ADJUSTED, &code))
		return code;
	o = ok_keyed(cmd, r.req.idempotency_key);
	json_object_set_new(o, "adjusted", kc_points_adjusted_json(resp->points_adjusted));
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

/* Send a CouponDefChange and print what it changed. */
static int coupon_change(KassaClient *kc, const char *cmd, int64_t def,
			 Kassa__V1__CouponDefine *replacement)
{
	Kassa__V1__Response *resp = NULL;
	char key[KC_KEY_LEN];
	int code = OFFICE_EXIT_OK;
	json_t *o;

	kc_new_key(key);
	if (!office_result(kc, cmd, kc_coupon_def_change(kc, def, replacement, key, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_COUPON_DEF_CHANGED, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "def_id", json_integer(resp->coupon_def_changed->def_id));
	json_object_set_new(o, "new_def_id", json_integer(resp->coupon_def_changed->new_def_id));
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

int cmd_coupon_deactivate(KassaClient *kc, const Args *a)
{
	int64_t def;

	if (a->n != 1 || !arg_id(a, 0, &def))
		return bad_usage("coupon deactivate", "coupon deactivate DEF");
	return coupon_change(kc, "coupon deactivate", def, NULL);
}

int cmd_coupon_edit(KassaClient *kc, const Args *a)
{
	static const char use[] = "coupon edit DEF name=NAME kind=fixed|percent|free_item "
				  "[the other fields of coupon define]";
	const char *cmd = "coupon edit";
	Kassa__V1__CouponDefine d = KASSA__V1__COUPON_DEFINE__INIT;
	int64_t def;
	int code;

	if (a->n < 2 || !arg_id(a, 0, &def))
		return bad_usage(cmd, use);
	if ((code = coupon_define_args(cmd, use, a, 1, &d)) != OFFICE_EXIT_OK)
		return code;
	return coupon_change(kc, cmd, def, &d);
}

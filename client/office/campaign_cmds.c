/* SPDX-License-Identifier: Apache-2.0 */
/*
 * campaign_cmds.c: campaign create|launch|show|list|report.
 *
 *   campaign create name=TEXT segment=NAME [version=N] holdout=10% | holdout_bp=1000
 *                   [seed=N] [coupon=DEF_ID] [template=NAME] from=YYYY-MM-DD to=YYYY-MM-DD
 *   campaign launch ID [key=IDEMPOTENCY_KEY]
 *   campaign show ID
 *   campaign list
 *   campaign report ID
 *
 * create, launch and show print one JSON object (the campaign); list and
 * report are ReportTables written as --format says (a table in the user's
 * language, CSV or JSON). The report's table shows the uplift notes as
 * money for a person; CSV and JSON keep the machine values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "kc_campaigns.h"
#include "kc_json.h"
#include "money.h"
#include "office.h"
#include "report_render.h"

#define CREATE_USAGE N_("usage: campaign create name=TEXT segment=NAME [version=N] " \
	"holdout=10% | holdout_bp=1000 [seed=N] [coupon=DEF_ID] [template=NAME] " \
	"from=YYYY-MM-DD to=YYYY-MM-DD")
#define CAMPAIGN_COLS_MAX 16
#define CAMPAIGN_NOTES_MAX 8
#define NOTE_LEN 64

typedef struct CampaignLabel {
	const char *key;
	const char *label;	/* N_(): translated at use */
} CampaignLabel;

static const CampaignLabel labels[] = {
	{ "campaign_id", N_("Campaign") }, { "name", N_("Campaign name") }, { "segment", N_("Segment") },
	{ "segment_version", N_("Version") }, { "holdout_bp", N_("Held out") },
	{ "coupon_def_id", N_("Coupon") }, { "template", N_("Template") },
	{ "starts_on", N_("From") }, { "ends_on", N_("To") }, { "state", N_("State") },
	{ "target_members", N_("Target group") }, { "holdout_members", N_("Holdout group") },
	{ "coupons_issued", N_("Coupons issued") }, { "messages_queued", N_("Messages queued") },
	{ "excluded_no_consent", N_("Not messaged") }, { "group", N_("Group") },
	{ "members", N_("Members") }, { "buyers", N_("Buyers") }, { "visits", N_("Visits") },
	{ "sales", N_("Sales amount") }, { "basket", N_("Basket") },
	{ "sales_per_member", N_("Sales per member") }, { "coupons_used", N_("Coupons used") },
	{ "redemption_bp", N_("Redemption") }, { "target", N_("Target group") },
	{ "holdout", N_("Holdout group") }, { "uplift_minor", N_("Uplift in sales per member") },
	/* xgettext:no-c-format */
	{ "ci_low_minor", N_("95% confidence interval, low") },
	/* xgettext:no-c-format */
	{ "ci_high_minor", N_("95% confidence interval, high") },
	{ "relative_uplift_bp", N_("Relative uplift") }, { "method", N_("Method") },
	{ "campaigns", N_("Campaigns") }, { "campaign_report", N_("Campaign effectiveness") },
	{ "draft", N_("draft") }, { "launched", N_("launched") },
};

static const char *label_of(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(labels); i++)
		if (strcmp(labels[i].key, key) == 0)
			return _(labels[i].label);
	return key;
}

/* A note's value as a person reads it: money notes as money, the relative uplift as a percentage. */
static const char *note_human(const Kassa__V1__ReportNote *n, char *buf, size_t len)
{
	if (strcmp(n->key, "relative_uplift_bp") == 0)
		return report_cell_human(KASSA__V1__COLUMN_KIND__COL_PERCENT_BP, n->value, buf, len);
	if (strstr(n->key, "_minor") != NULL)
		return report_cell_human(KASSA__V1__COLUMN_KIND__COL_MONEY, n->value, buf, len);
	if (strcmp(n->key, "method") == 0)
		return _("Welch's t, 95%: difference +- 1.96 x standard error; a member without a "
			 "sale counts 0");
	return n->value;
}

/*
 * t as a person reads it: a shallow copy with the column keys, the group
 * names, the state words, the notes and the title in the user's language.
 */
static bool campaign_table(FILE *out, const Kassa__V1__ReportTable *t)
{
	Kassa__V1__ReportTable h = *t;
	Kassa__V1__ReportColumn cols[CAMPAIGN_COLS_MAX], *colp[CAMPAIGN_COLS_MAX];
	Kassa__V1__ReportNote notes[CAMPAIGN_NOTES_MAX], *notep[CAMPAIGN_NOTES_MAX];
	char vals[CAMPAIGN_NOTES_MAX][NOTE_LEN];
	Kassa__V1__ReportRow *rows = xcalloc(t->n_rows + 1, sizeof(*rows));
	Kassa__V1__ReportRow **rowp = xcalloc(t->n_rows + 1, sizeof(*rowp));
	char **cells = xcalloc(t->n_rows * t->n_columns + 1, sizeof(*cells));
	bool ok;

	if (t->n_columns > CAMPAIGN_COLS_MAX || t->n_notes > CAMPAIGN_NOTES_MAX) {
		free(cells);
		free(rowp);
		free(rows);
		return report_render_table(out, t);
	}
	for (size_t i = 0; i < t->n_columns; i++) {
		cols[i] = *t->columns[i];
		cols[i].key = (char *)label_of(t->columns[i]->key);
		colp[i] = &cols[i];
	}
	for (size_t r = 0; r < t->n_rows; r++) {
		rows[r] = *t->rows[r];
		rows[r].cells = &cells[r * t->n_columns];
		for (size_t i = 0; i < t->n_columns && i < t->rows[r]->n_cells; i++) {
			const char *k = t->columns[i]->key, *v = t->rows[r]->cells[i];

			cells[r * t->n_columns + i] = (char *)((strcmp(k, "group") == 0 ||
								strcmp(k, "state") == 0) ? label_of(v) : v);
		}
		rowp[r] = &rows[r];
	}
	for (size_t i = 0; i < t->n_notes; i++) {
		notes[i] = *t->notes[i];
		notes[i].key = (char *)label_of(t->notes[i]->key);
		notes[i].value = (char *)note_human(t->notes[i], vals[i], sizeof(vals[i]));
		notep[i] = &notes[i];
	}
	h.columns = colp;
	h.rows = rowp;
	h.notes = notep;
	h.report = (char *)label_of(t->report);
	ok = report_render_table(out, &h);
	free(cells);
	free(rowp);
	free(rows);
	return ok;
}

static json_t *campaign_json(const Kassa__V1__Campaign *k)
{
	json_t *o = json_object();

	json_object_set_new(o, "campaign_id", json_integer(k->campaign_id));
	json_object_set_new(o, "name", json_string(k->name));
	json_object_set_new(o, "segment", json_string(k->segment));
	json_object_set_new(o, "segment_version", json_integer(k->segment_version));
	json_object_set_new(o, "holdout_bp", json_integer(k->holdout_bp));
	/* a uint64 may not fit a JSON integer: as a decimal string */
	char seed[24];

	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)k->seed);
	json_object_set_new(o, "seed", json_string(seed));
	json_object_set_new(o, "coupon_def_id", json_integer(k->coupon_def_id));
	json_object_set_new(o, "template", json_string(k->template_));
	json_object_set_new(o, "starts_on", json_string(k->starts_on));
	json_object_set_new(o, "ends_on", json_string(k->ends_on));
	json_object_set_new(o, "state", json_string(k->state));
	json_object_set_new(o, "target_members", json_integer(k->target_members));
	json_object_set_new(o, "holdout_members", json_integer(k->holdout_members));
	json_object_set_new(o, "coupons_issued", json_integer(k->coupons_issued));
	json_object_set_new(o, "messages_queued", json_integer(k->messages_queued));
	json_object_set_new(o, "excluded_no_consent", json_integer(k->excluded_no_consent));
	json_object_set_new(o, "created_at", json_string(k->created_at));
	json_object_set_new(o, "launched_at", json_string(k->launched_at));
	return o;
}

/* A non-negative decimal integer no larger than max. */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

/* "10%", "12.5%", "10" (percent) into basis points. */
static bool parse_percent(const char *s, uint32_t *bp)
{
	char buf[16];
	size_t n = strlen(s);
	int64_t hundredths;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n + 1);
	if (buf[n - 1] == '%')
		buf[n - 1] = '\0';
	if (buf[0] == '-' || buf[0] == '+' || !money_parse(buf, &hundredths) || hundredths > 10000)
		return false;
	*bp = (uint32_t)hundredths;
	return true;
}

/* One key=value of campaign create into q; false if it is not one. */
static bool create_arg(Kassa__V1__CampaignCreate *q, const char *k, char *v, bool *bp_set)
{
	uint64_t n;

	if (strcmp(k, "name") == 0)
		q->name = v;
	else if (strcmp(k, "segment") == 0)
		q->segment = v;
	else if (strcmp(k, "version") == 0 && parse_u64(v, UINT32_MAX, &n))
		q->segment_version = (uint32_t)n;
	else if (strcmp(k, "holdout") == 0 && !*bp_set && parse_percent(v, &q->holdout_bp))
		*bp_set = true;
	else if (strcmp(k, "holdout_bp") == 0 && !*bp_set && parse_u64(v, 10000, &n)) {
		q->holdout_bp = (uint32_t)n;
		*bp_set = true;
	} else if (strcmp(k, "seed") == 0 && parse_u64(v, UINT64_MAX, &n))
		q->seed = n;
	else if (strcmp(k, "coupon") == 0 && parse_u64(v, INT64_MAX, &n) && n > 0)
		q->coupon_def_id = (int64_t)n;
	else if (strcmp(k, "template") == 0)
		q->template_ = v;
	else if (strcmp(k, "from") == 0)
		q->starts_on = v;
	else if (strcmp(k, "to") == 0)
		q->ends_on = v;
	else
		return false;
	return true;
}

/* Print the campaign of a Campaign answer as {"ok":true,"cmd":..,["idempotency_key":..,]"campaign":..}. */
static int campaign_out(KassaClient *kc, const char *cmd, KcResult r,
			Kassa__V1__Response *resp, const char *key)
{
	int code = OFFICE_EXIT_OK;
	json_t *o;

	if (!office_result(kc, cmd, r, &resp, KASSA__V1__RESPONSE__BODY_CAMPAIGN, &code))
		return code;
	o = key != NULL ? ok_keyed(cmd, key) : kcj_ok(cmd);
	json_object_set_new(o, "campaign", campaign_json(resp->campaign));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

int cmd_campaign_create(KassaClient *kc, const Args *a)
{
	const char *cmd = "campaign create";
	Kassa__V1__CampaignCreate q = KASSA__V1__CAMPAIGN_CREATE__INIT;
	Kassa__V1__Response *resp = NULL;
	char key[KC_KEY_LEN];
	bool bp_set = false;
	KcResult r;

	for (int i = 0; i < a->n; i++)
		if (a->vals[i] == NULL || !create_arg(&q, a->keys[i], a->vals[i], &bp_set))
			return bad_usage(cmd, _(CREATE_USAGE));
	if (q.name[0] == '\0' || q.segment[0] == '\0' || !bp_set || q.starts_on[0] == '\0' ||
	    q.ends_on[0] == '\0')
		return bad_usage(cmd, _(CREATE_USAGE));
	kc_new_key(key);
	r = kc_campaign_create(kc, &q, key, &resp);
	return campaign_out(kc, cmd, r, resp, key);
}

int cmd_campaign_launch(KassaClient *kc, const Args *a)
{
	const char *cmd = "campaign launch", *given = arg_get(a, "key");
	Kassa__V1__Response *resp = NULL;
	char key[KC_KEY_LEN];
	int64_t id;
	KcResult r;

	if (!arg_id(a, 0, &id) || a->n != 1 + (given != NULL) ||
	    (given != NULL && strlen(given) >= KC_KEY_LEN))
		return bad_usage(cmd, _("usage: campaign launch ID [key=IDEMPOTENCY_KEY]"));
	if (given != NULL)
		snprintf(key, sizeof(key), "%s", given);
	else
		kc_new_key(key);
	r = kc_campaign_launch(kc, id, key, &resp);
	return campaign_out(kc, cmd, r, resp, key);
}

int cmd_campaign_show(KassaClient *kc, const Args *a)
{
	const char *cmd = "campaign show";
	Kassa__V1__Response *resp = NULL;
	int64_t id;
	KcResult r;

	if (!arg_id(a, 0, &id) || a->n != 1)
		return bad_usage(cmd, _("usage: campaign show ID"));
	r = kc_campaign_get(kc, id, &resp);
	return campaign_out(kc, cmd, r, resp, NULL);
}

/* A ReportTable answer to stdout or --output. */
static int table_out(KassaClient *kc, const char *cmd, KcResult r, Kassa__V1__Response *resp)
{
	int code = OFFICE_EXIT_OK;

	if (!office_result(kc, cmd, r, &resp, KASSA__V1__RESPONSE__BODY_REPORT_TABLE, &code))
		return code;
	code = office_write_table(cmd, resp->report_table, campaign_table);
	kc_response_free(resp);
	return code;
}

int cmd_campaign_list(KassaClient *kc, const Args *a)
{
	Kassa__V1__Response *resp = NULL;
	KcResult r;

	if (a->n != 0)
		return bad_usage("campaign list", _("usage: campaign list"));
	r = kc_campaign_list(kc, &resp);
	return table_out(kc, "campaign list", r, resp);
}

int cmd_campaign_report(KassaClient *kc, const Args *a)
{
	Kassa__V1__Response *resp = NULL;
	int64_t id;
	KcResult r;

	if (!arg_id(a, 0, &id) || a->n != 1)
		return bad_usage("campaign report", _("usage: campaign report ID"));
	r = kc_campaign_report(kc, id, &resp);
	return table_out(kc, "campaign report", r, resp);
}

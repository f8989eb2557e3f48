/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dashboard.c: head office's read-only dashboard, the page "/" of the
 * HTTPS admin port (server/http/https.c, which has already checked that
 * the reader holds an active office till's certificate). Server-rendered
 * HTML with inline SVG charts (common/chart_svg.h): no script, no
 * external resource, every value HTML-escaped, every label through
 * gettext in the reader's language (https_call_lang(): ?lang=, then
 * Accept-Language, then English).
 *
 * A page's walk: dashboard_page() 1. reloads the rule set (a point's
 * money value is loyalty's: step_value minor units per points_step
 * points, passed to SQL, which never reads the rule set), rules_cb()
 * 2. runs kassa_dashboard_json() (migrations/functions/dashboard.sql) on
 * the report lane: every figure in one statement, one snapshot, data_cb()
 * 3. renders the page from that JSON: today's sales by store (each
 * store's business day) and by hour, the members' share, the points
 * liability, members by tier, the at-risk list (masked phones).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chart_svg.h"
#include "db.h"
#include "https.h"
#include "log.h"
#include "money.h"
#include "office.h"
#include "phone.h"
#include "ruleset_cache.h"

#define DASH_AT_RISK_MAX 20		/* the list's length (dashboard.sql's LIMIT) */
#define DASH_HOURS 24
#define DASH_CHART_W 600		/* pixels: two charts side by side on a laptop */
#define DASH_CHART_H 260

static int st_dashboard;

/* ---- HTML pieces ---- */

/* Append s HTML-escaped. */
static void put(struct evbuffer *b, const char *s)
{
	char *e = chart_escape(s, 0);

	if (e != NULL)
		evbuffer_add(b, e, strlen(e));
	free(e);
}

/* Append <tag class="cls">s</tag>, s escaped (cls may be NULL). */
static void cell(struct evbuffer *b, const char *tag, const char *cls, const char *s)
{
	if (cls != NULL)
		evbuffer_add_printf(b, "<%s class=\"%s\">", tag, cls);
	else
		evbuffer_add_printf(b, "<%s>", tag);
	put(b, s);
	evbuffer_add_printf(b, "</%s>", tag);
}

static int64_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* The currency's minor-unit exponent (2 when unknown), for chart_format_money. */
static int exponent(const char *currency)
{
	int e = money_currency_exponent(currency);

	return e < 0 ? 2 : e;
}

/* "1,234.56 CNY" */
static void money_text(int64_t minor, const char *currency, char *buf, size_t len)
{
	char n[CHART_FMT_LEN];
	int e = exponent(currency);

	chart_format_money(minor, &e, n, sizeof(n));
	snprintf(buf, len, "%s %s", n, currency);
}

static void int_text(int64_t v, char *buf, size_t len)
{
	chart_format_int(v, NULL, buf, len);
}

/* A share in basis points, or a dash when its base was 0 (JSON null). */
static void share_text(const json_t *o, const char *k, char *buf, size_t len)
{
	if (json_is_integer(json_object_get(o, k)))
		chart_format_percent_bp(jint(o, k), NULL, buf, len);
	else
		snprintf(buf, len, "\xe2\x80\x93");	/* en dash */
}

static void num_cell(struct evbuffer *b, int64_t v)
{
	char t[CHART_FMT_LEN];

	int_text(v, t, sizeof(t));
	cell(b, "td", "n", t);
}

static void money_cell(struct evbuffer *b, int64_t v, const char *currency)
{
	char t[CHART_FMT_LEN + 8];

	money_text(v, currency, t, sizeof(t));
	cell(b, "td", "n", t);
}

static void share_cell(struct evbuffer *b, const json_t *o, const char *k)
{
	char t[CHART_FMT_LEN];

	share_text(o, k, t, sizeof(t));
	cell(b, "td", "n", t);
}

/* Append a chart (inline SVG) in a figure; nothing when it cannot be drawn. */
static void chart(struct evbuffer *b, const ChartSpec *spec)
{
	size_t len;
	char *svg = chart_svg(spec, &len);

	if (svg == NULL) {
		log_warn("dashboard: could not draw the chart \"%s\"", spec->title);
		return;
	}
	evbuffer_add_printf(b, "<figure class=\"chart\">");
	evbuffer_add(b, svg, len);
	evbuffer_add_printf(b, "</figure>\n");
	free(svg);
}

/* ---- the sections ---- */

static void page_head(struct evbuffer *b, I18nLang lang)
{
	evbuffer_add_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
			    "<meta name=\"viewport\" content=\"width=device-width\"><title>",
			    https_html_lang(lang));
	put(b, _("Kassa head office dashboard"));
	evbuffer_add_printf(b, "</title><style>\n"
		"body{font-family:%s;margin:24px;color:#222;background:#fff}\n"
		"h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;"
		"border-bottom:1px solid #ccc;padding-bottom:4px}\n"
		"table{border-collapse:collapse;margin:8px 0}th,td{padding:4px 10px;"
		"border-bottom:1px solid #e4e4e4;text-align:left}\n"
		"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
		"tr.total td{font-weight:bold;border-top:2px solid #999}\n"
		".meta{color:#666;font-size:13px}.lang a{margin-right:10px}"
		".cards{display:flex;flex-wrap:wrap;gap:12px}\n"
		".card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:220px}"
		".card b{display:block;font-size:20px}\n"
		".charts{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:flex-start}"
		"figure.chart{margin:8px 0}figure.chart svg{max-width:100%%;height:auto}\n"
		"</style></head><body>\n", CHART_FONT_FAMILY);
}

static void page_header(struct evbuffer *b, const json_t *root)
{
	char as_of[DB_AS_OF_LEN];
	int64_t lag = 0;
	const char *agg = json_string_value(json_object_get(root, "aggregated_at"));

	db_report_freshness(as_of, &lag);
	evbuffer_add_printf(b, "<header><h1>");
	put(b, _("Kassa head office dashboard"));
	evbuffer_add_printf(b, "</h1><p class=\"lang\"><a href=\"?lang=en\">English</a>"
			    "<a href=\"?lang=zh_CN\">\xe7\xae\x80\xe4\xbd\x93\xe4\xb8\xad\xe6\x96\x87"
			    "</a></p><p class=\"meta\">");
	put(b, _("Data as of"));
	evbuffer_add_printf(b, " ");
	put(b, as_of);
	if (lag > 0) {
		evbuffer_add_printf(b, " (");
		evbuffer_add_printf(b, _("%lld s behind the primary"), (long long)lag);
		evbuffer_add_printf(b, ")");
	}
	evbuffer_add_printf(b, ". ");
	if (agg != NULL) {
		put(b, _("Sales figures as aggregated by the analytics job at"));
		evbuffer_add_printf(b, " ");
		put(b, agg);
		evbuffer_add_printf(b, ".");
	} else {
		put(b, _("The analytics job has not aggregated any sales yet."));
	}
	evbuffer_add_printf(b, "</p></header>\n");
}

/* One row of the sales table: a store's (name set) or a currency's total. */
static void sales_row(struct evbuffer *b, const json_t *o, const char *name, const char *day)
{
	const char *cur = jstr(o, "currency");
	char all[64];

	snprintf(all, sizeof(all), _("All stores (%s)"), cur);
	evbuffer_add_printf(b, name ? "<tr>" : "<tr class=\"total\">");
	cell(b, "td", NULL, name ? name : all);
	cell(b, "td", NULL, day ? day : "");
	num_cell(b, jint(o, "sales"));
	num_cell(b, jint(o, "items"));
	money_cell(b, jint(o, "total"), cur);
	num_cell(b, jint(o, "member_sales"));
	money_cell(b, jint(o, "member_total"), cur);
	share_cell(b, o, "member_share_bp");
	num_cell(b, jint(o, "refunds"));
	money_cell(b, jint(o, "refund_minor"), cur);
	evbuffer_add_printf(b, "</tr>\n");
}

/* The bar chart of one currency's stores' takings today. */
static void sales_chart(struct evbuffer *b, const json_t *stores, const char *currency)
{
	size_t n = 0, i;
	json_t *o;
	const char **labels = xcalloc(json_array_size(stores) + 1, sizeof(*labels));
	int64_t *values = xcalloc(json_array_size(stores) + 1, sizeof(*values));
	int e = exponent(currency);
	char title[160];

	json_array_foreach(stores, i, o) {
		if (strcmp(jstr(o, "currency"), currency) != 0)
			continue;
		labels[n] = jstr(o, "name");
		values[n++] = jint(o, "total");
	}
	snprintf(title, sizeof(title), _("Sales today by store (%s)"), currency);
	chart(b, &(ChartSpec){ .kind = CHART_BAR, .title = title, .labels = labels,
			       .values = values, .n = n, .width = DASH_CHART_W, .height = DASH_CHART_H,
			       .format = chart_format_money, .format_ctx = &e,
			       .empty_text = _("No sales today"), .inline_svg = true });
	free(labels);
	free(values);
}

/* The line chart of one currency's sales by hour of day today. */
static void hours_chart(struct evbuffer *b, const json_t *hours, const char *currency)
{
	static const char *const hour_labels[DASH_HOURS] = {
		"00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11",
		"12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23" };
	int64_t values[DASH_HOURS] = { 0 };
	int e = exponent(currency);
	size_t i;
	json_t *o;
	char title[160];

	json_array_foreach(hours, i, o) {
		int64_t h = jint(o, "hour");

		if (strcmp(jstr(o, "currency"), currency) == 0 && h >= 0 && h < DASH_HOURS)
			values[h] = jint(o, "total");
	}
	snprintf(title, sizeof(title), _("Sales today by hour of day (%s)"), currency);
	chart(b, &(ChartSpec){ .kind = CHART_LINE, .title = title, .x_caption = _("Hour"),
			       .labels = hour_labels, .values = values, .n = DASH_HOURS,
			       .width = DASH_CHART_W, .height = DASH_CHART_H, .format = chart_format_money,
			       .format_ctx = &e, .inline_svg = true });
}

static void section_sales(struct evbuffer *b, const json_t *root)
{
	const json_t *stores = json_object_get(root, "stores");
	const json_t *totals = json_object_get(root, "totals");
	const json_t *hours = json_object_get(root, "hours");
	size_t i;
	json_t *o;

	evbuffer_add_printf(b, "<section id=\"sales\"><h2>");
	put(b, _("Today's sales by store"));
	evbuffer_add_printf(b, "</h2><table><thead><tr>");
	cell(b, "th", NULL, _("Store"));
	cell(b, "th", NULL, _("Business day"));
	cell(b, "th", "n", _("Sales"));
	cell(b, "th", "n", _("Items"));
	cell(b, "th", "n", _("Takings"));
	cell(b, "th", "n", _("Member sales"));
	cell(b, "th", "n", _("Members paid"));
	cell(b, "th", "n", _("Member share"));
	cell(b, "th", "n", _("Refunds"));
	cell(b, "th", "n", _("Refunded"));
	evbuffer_add_printf(b, "</tr></thead><tbody>\n");
	json_array_foreach(stores, i, o)
		sales_row(b, o, jstr(o, "name"), jstr(o, "day"));
	json_array_foreach(totals, i, o)
		sales_row(b, o, NULL, NULL);
	evbuffer_add_printf(b, "</tbody></table>\n");
	evbuffer_add_printf(b, "<div class=\"charts\">\n");
	json_array_foreach(totals, i, o) {
		sales_chart(b, stores, jstr(o, "currency"));
		hours_chart(b, hours, jstr(o, "currency"));
	}
	evbuffer_add_printf(b, "</div></section>\n");
}

static void section_share(struct evbuffer *b, const json_t *root)
{
	const json_t *stores = json_object_get(root, "stores");
	const json_t *totals = json_object_get(root, "totals");
	size_t i, n = 0;
	json_t *o;
	const char **labels = xcalloc(json_array_size(stores) + 1, sizeof(*labels));
	int64_t *values = xcalloc(json_array_size(stores) + 1, sizeof(*values));

	evbuffer_add_printf(b, "<section id=\"share\"><h2>");
	put(b, _("Member share"));
	evbuffer_add_printf(b, "</h2><div class=\"cards\">\n");
	json_array_foreach(totals, i, o) {
		char s[CHART_FMT_LEN], m[CHART_FMT_LEN], sales[CHART_FMT_LEN],
		     all[CHART_FMT_LEN], line[512];

		share_text(o, "member_share_bp", m, sizeof(m));
		share_text(o, "sales_share_bp", s, sizeof(s));
		int_text(jint(o, "member_sales"), sales, sizeof(sales));
		int_text(jint(o, "sales"), all, sizeof(all));
		evbuffer_add_printf(b, "<div class=\"card\"><b>");
		put(b, m);
		evbuffer_add_printf(b, "</b>");
		snprintf(line, sizeof(line), _("of today's takings in %s were paid by members;"
					       " %s of %s sales (%s) were members'"),
			 jstr(o, "currency"), sales, all, s);
		put(b, line);
		evbuffer_add_printf(b, "</div>\n");
	}
	evbuffer_add_printf(b, "</div>\n");
	json_array_foreach(stores, i, o) {
		if (!json_is_integer(json_object_get(o, "member_share_bp")))
			continue;
		labels[n] = jstr(o, "name");
		values[n++] = jint(o, "member_share_bp");
	}
	chart(b, &(ChartSpec){ .kind = CHART_BAR, .title = _("Member share of takings by store"),
			       .labels = labels, .values = values, .n = n,
			       .width = DASH_CHART_W, .height = DASH_CHART_H, .format = chart_format_percent_bp,
			       .empty_text = _("No sales today"), .inline_svg = true });
	evbuffer_add_printf(b, "</section>\n");
	free(labels);
	free(values);
}

static void section_points(struct evbuffer *b, const json_t *root, const RuleSet *rs)
{
	const json_t *liab = json_object_get(root, "liability");
	char rate[CHART_FMT_LEN * 2], steps[CHART_FMT_LEN], line[512];
	size_t i;
	json_t *o;

	evbuffer_add_printf(b, "<section id=\"points\"><h2>");
	put(b, _("Points liability"));
	evbuffer_add_printf(b, "</h2><p class=\"meta\">");
	int_text(rs->points_step, steps, sizeof(steps));
	chart_format_money(rs->step_value, NULL, rate, sizeof(rate));
	snprintf(line, sizeof(line), _("At the rule set's rate (version %d): %s points"
				       " redeem for %s."), (int)rs->version, steps, rate);
	put(b, line);
	evbuffer_add_printf(b, "</p><table><thead><tr>");
	cell(b, "th", NULL, _("Currency"));
	cell(b, "th", "n", _("Members with points"));
	cell(b, "th", "n", _("Points outstanding"));
	cell(b, "th", "n", _("Liability"));
	evbuffer_add_printf(b, "</tr></thead><tbody>\n");
	json_array_foreach(liab, i, o) {
		evbuffer_add_printf(b, "<tr>");
		cell(b, "td", NULL, jstr(o, "currency"));
		num_cell(b, jint(o, "members"));
		num_cell(b, jint(o, "points"));
		money_cell(b, jint(o, "value"), jstr(o, "currency"));
		evbuffer_add_printf(b, "</tr>\n");
	}
	if (json_array_size(liab) == 0) {
		evbuffer_add_printf(b, "<tr><td colspan=\"4\">");
		put(b, _("No member holds points."));
		evbuffer_add_printf(b, "</td></tr>\n");
	}
	evbuffer_add_printf(b, "</tbody></table></section>\n");
}

/* The rule set's order of tier t (unknown tiers after every known one). */
static int tier_rank(const RuleSet *rs, const char *t)
{
	int i = ruleset_tier_index(rs, t);

	return i < 0 ? RULESET_MAX_TIERS : i;
}

static void section_tiers(struct evbuffer *b, const json_t *root, const RuleSet *rs)
{
	const json_t *tiers = json_object_get(root, "tiers");
	size_t n = json_array_size(tiers), i, k = 0;
	const char **labels = xcalloc(n + 1, sizeof(*labels));
	int64_t *values = xcalloc(n + 1, sizeof(*values));

	/* in the rule set's order (SQL gave them by name, so ties keep that) */
	for (int rank = 0; rank <= RULESET_MAX_TIERS; rank++)
		for (i = 0; i < n; i++) {
			const json_t *o = json_array_get(tiers, i);

			if (tier_rank(rs, jstr(o, "tier")) != rank)
				continue;
			labels[k] = jstr(o, "tier");
			values[k++] = jint(o, "members");
		}
	evbuffer_add_printf(b, "<section id=\"tiers\"><h2>");
	put(b, _("Members by tier"));
	evbuffer_add_printf(b, "</h2><div class=\"charts\"><table><thead><tr>");
	cell(b, "th", NULL, _("Tier"));
	cell(b, "th", "n", _("Members"));
	evbuffer_add_printf(b, "</tr></thead><tbody>\n");
	for (i = 0; i < k; i++) {
		evbuffer_add_printf(b, "<tr>");
		cell(b, "td", NULL, labels[i]);
		num_cell(b, values[i]);
		evbuffer_add_printf(b, "</tr>\n");
	}
	evbuffer_add_printf(b, "</tbody></table>\n");
	chart(b, &(ChartSpec){ .kind = CHART_BAR, .title = _("Members by tier"), .labels = labels,
			       .values = values, .n = k, .width = DASH_CHART_W, .height = DASH_CHART_H,
			       .empty_text = _("No members"), .inline_svg = true });
	evbuffer_add_printf(b, "</div></section>\n");
	free(labels);
	free(values);
}

static void section_at_risk(struct evbuffer *b, const json_t *root)
{
	const json_t *list = json_object_get(root, "at_risk");
	char line[512], count[CHART_FMT_LEN], id[24], phone[PHONE_MAX];
	size_t i;
	json_t *o;

	evbuffer_add_printf(b, "<section id=\"at-risk\"><h2>");
	put(b, _("Members at risk"));
	evbuffer_add_printf(b, "</h2><p class=\"meta\">");
	int_text(jint(root, "at_risk_count"), count, sizeof(count));
	snprintf(line, sizeof(line), _("%s members are at risk of lapsing; the %d who spent"
				       " most:"), count, DASH_AT_RISK_MAX);
	put(b, line);
	evbuffer_add_printf(b, "</p><table><thead><tr>");
	cell(b, "th", "n", _("Member"));
	cell(b, "th", NULL, _("Name"));
	cell(b, "th", NULL, _("Phone"));
	cell(b, "th", NULL, _("Tier"));
	cell(b, "th", NULL, _("Usual store"));
	cell(b, "th", "n", _("Visits"));
	cell(b, "th", "n", _("Spend"));
	cell(b, "th", NULL, _("Last visit"));
	evbuffer_add_printf(b, "</tr></thead><tbody>\n");
	json_array_foreach(list, i, o) {
		snprintf(id, sizeof(id), "%lld", (long long)jint(o, "member_id"));
		phone_mask(jstr(o, "phone"), phone, sizeof(phone));
		evbuffer_add_printf(b, "<tr>");
		cell(b, "td", "n", id);
		cell(b, "td", NULL, jstr(o, "name"));
		cell(b, "td", NULL, phone);
		cell(b, "td", NULL, jstr(o, "tier"));
		cell(b, "td", NULL, jstr(o, "store"));
		num_cell(b, jint(o, "visits"));
		money_cell(b, jint(o, "spend"), jstr(o, "currency"));
		cell(b, "td", NULL, jstr(o, "last_visit"));
		evbuffer_add_printf(b, "</tr>\n");
	}
	evbuffer_add_printf(b, "</tbody></table></section>\n");
}

/* The whole page from kassa_dashboard_json()'s document, in the thread's language. */
static void render(struct evbuffer *b, I18nLang lang, const json_t *root, const RuleSet *rs)
{
	page_head(b, lang);
	page_header(b, root);
	section_sales(b, root);
	section_share(b, root);
	section_points(b, root, rs);
	section_tiers(b, root, rs);
	section_at_risk(b, root);
	evbuffer_add_printf(b, "<footer class=\"meta\"><p>");
	put(b, _("Read-only. Amounts are in each store's currency; today is each store's"
		 " own business day."));
	evbuffer_add_printf(b, "</p></footer></body></html>\n");
}

/* ---- the walk ---- */

typedef struct DashState {
	I18nLang lang;			/* the reader's */
} DashState;

/* Answer c with a short page in the reader's language. */
static void dash_fail(HttpsCall *c, int code)
{
	const DashState *d = https_call_state(c);
	locale_t prev = https_locale_enter(d ? d->lang : I18N_EN);

	https_fail(c, code, _("Dashboard unavailable"),
		   _("The figures could not be read just now; try again shortly."));
	uselocale(prev);
}

/* 3. The figures: render the page. */
static void data_cb(void *arg, DbStatus st, const PGresult *res)
{
	HttpsCall *c = arg;
	const DashState *d = https_call_state(c);
	const RuleSet *rs = ruleset_current();
	struct evbuffer *body;
	json_t *root;
	locale_t prev;

	if (https_call_is_orphan(c)) {
		https_reply(c, 500, NULL);
		return;
	}
	if (st != DB_OK || PQntuples(res) != 1 || rs == NULL) {
		log_warn("dashboard: could not read the figures: %s",
			 res ? db_errmsg(res) : "database unavailable");
		dash_fail(c, 503);
		return;
	}
	root = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	body = evbuffer_new();
	if (root == NULL || body == NULL) {
		log_error("dashboard: could not read kassa_dashboard_json()'s document");
		json_decref(root);
		if (body)
			evbuffer_free(body);
		dash_fail(c, 500);
		return;
	}
	prev = https_locale_enter(d->lang);
	render(body, d->lang, root, rs);
	uselocale(prev);
	json_decref(root);
	https_reply(c, 200, body);
	evbuffer_free(body);
}

/* 2. The rule set is in force: ask for the figures at its point value. */
static void rules_cb(void *arg, DbStatus st, const PGresult *res)
{
	HttpsCall *c = arg;
	const RuleSet *rs = ruleset_current();
	char step[24], value[24];
	const char *params[2] = { step, value };

	(void)res;
	if (https_call_is_orphan(c)) {
		https_reply(c, 500, NULL);
		return;
	}
	/* shutting down, the pool would never answer the next query: stop here */
	if (rs == NULL || (st != DB_OK && g_shutting_down)) {
		log_warn("dashboard: no rule set in force (status %d)", (int)st);
		dash_fail(c, 503);
		return;
	}
	snprintf(step, sizeof(step), "%lld", (long long)rs->points_step);
	snprintf(value, sizeof(value), "%lld", (long long)rs->step_value);
	db_query(st_dashboard, 2, params, data_cb, c);
}

/* 1. GET / from an office certificate. */
static void dashboard_page(HttpsCall *c)
{
	DashState *d = xcalloc(1, sizeof(*d));

	d->lang = https_call_lang(c);
	https_call_set_state(c, d, free);
	ruleset_reload(rules_cb, c);
}

void dashboard_setup(void)
{
	st_dashboard = db_stmt_add("dashboard", "SELECT kassa_dashboard_json($1, $2)",
				   DB_LANE_REPORT);
	if (!https_route("/", dashboard_page))
		die("could not register the dashboard's page");
}

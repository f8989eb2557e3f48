/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_render.c: a ReportTable as a person reads it (an aligned,
 * translated text table) and as one JSON object (see report_render.h):
 * the labels of every report's column keys and notes and of the reports'
 * names, a cell's human form, the table's layout by display width.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "money.h"
#include "report_render.h"
#include "textwidth.h"

#define COL_SEP "  "

typedef struct Label {
	const char *key, *label;
} Label;

/* Column and note keys of every report (report_sales.c, report_loyalty.c, the list). */
static const Label labels[] = {
	{ "report", N_("Report") }, { "chart", N_("Chart") },
	{ "default_from", N_("Default from") }, { "default_to", N_("Default to") },
	{ "store", N_("Store") }, { "store_name", N_("Store name") }, { "day", N_("Day") },
	{ "sales", N_("Sales") }, { "items", N_("Items") }, { "total_minor", N_("Total") },
	{ "basket_minor", N_("Avg basket") }, { "member_share_bp", N_("Member share") },
	{ "refunds", N_("Refunds") }, { "refund_minor", N_("Refunded") },
	{ "net_minor", N_("Net") }, { "share_bp", N_("Share") }, { "hour", N_("Hour") },
	{ "member_sales", N_("Member sales") }, { "rank", N_("Rank") }, { "sku", N_("SKU") },
	{ "name", N_("Product") }, { "category", N_("Category") },
	{ "quantity", N_("Quantity") }, { "sales_share_bp", N_("Member sales share") },
	{ "member_total_minor", N_("Member total") },
	{ "money_share_bp", N_("Member money share") },
	{ "visits_bucket", N_("Visits per member") }, { "members", N_("Members") },
	{ "visits", N_("Visits") }, { "spend_minor", N_("Spend") }, { "month", N_("Month") },
	{ "returned_30", N_("Back within 30 days") },
	{ "returned_90", N_("Back within 90 days") }, { "rate_30_bp", N_("30-day rate") },
	{ "rate_90_bp", N_("90-day rate") }, { "tier", N_("Tier") },
	{ "upgrades", N_("Upgrades") }, { "downgrades", N_("Downgrades") },
	{ "manual", N_("Set by hand") }, { "staff_id", N_("Staff ID") },
	{ "staff", N_("Staff") }, { "signups", N_("Sign-ups") }, { "rating", N_("Rating") },
	{ "ratings", N_("Ratings") }, { "window_days", N_("RFM window (days)") },
	{ "cohort", N_("Cohort") },
	/* the loyalty reports (report_loyalty.c) */
	{ "issued", N_("Issued") }, { "restored", N_("Restored") },
	{ "redeemed", N_("Redeemed") }, { "expired", N_("Expired") },
	{ "adjusted", N_("Adjusted") }, { "clawed_back", N_("Clawed back") },
	{ "net", N_("Net") }, { "coupon_def", N_("Definition") }, { "coupon", N_("Coupon") },
	{ "kind", N_("Kind") }, { "used", N_("Used") }, { "voided", N_("Voided") },
	{ "open", N_("Open") }, { "redemption_bp", N_("Redemption rate") },
	{ "discount_minor", N_("Discount") }, { "topped_up_minor", N_("Topped up") },
	{ "bonus_minor", N_("Bonus") }, { "spent_minor", N_("Spent") },
	{ "refunded_minor", N_("Refunded") }, { "adjusted_minor", N_("Adjusted") },
	{ "week", N_("Week") }, { "forecast_minor", N_("Forecast") },
	{ "liability_minor", N_("Liability") }, { "liability_wallets", N_("Wallets") },
	{ "method", N_("Method") }, { "backtest_wape_bp", N_("Back-tested error (WAPE)") },
	{ "backtest_mape_bp", N_("Back-tested error (MAPE)") },
	{ "liability_members", N_("Members holding points") },
	{ "liability_points", N_("Points outstanding") },
	{ "step_value_minor", N_("Value of a points step") },
	{ "points_step", N_("Points per step") }, { "season_weeks", N_("Season (weeks)") },
	{ "trend_weeks", N_("Trend window (weeks)") }, { "horizon_weeks", N_("Horizon (weeks)") },
	{ "weeks_of_history", N_("Weeks of history") }, { "series", N_("Series") },
	{ "series_seasonal", N_("Series forecast by season") },
	{ "series_mean", N_("Series forecast by their mean") },
	{ "backtest_series", N_("Series back-tested") },
	/* message templates (care/messages, template_cmds.c) */
	{ "template", N_("Template") }, { "language", N_("Language") },
	{ "version", N_("Version") }, { "subject", N_("Subject") },
	{ "body_preview", N_("Text") }, { "created_at", N_("Created") },
	/* bought together (care/reco, report_sales.c) */
	{ "other_sku", N_("Bought with SKU") }, { "other_name", N_("Bought with") },
	{ "baskets", N_("Baskets") }, { "support_bp", N_("Support") },
	{ "confidence_bp", N_("Confidence") }, { "lift", N_("Lift") },
	/* complaint resolution (care/complaints, report_care.c) */
	{ "opened", N_("Opened") }, { "resolved", N_("Resolved") },
	{ "rejected", N_("Rejected") }, { "still_open", N_("Still open") },
	{ "median_hours", N_("Median hours to resolve") },
	{ "avg_hours", N_("Average hours to resolve") },
	/* store operations: staff time (report_staff.c), suppliers (report_supply.c), movers */
	{ "hours", N_("Hours") },
	{ "records", N_("Clock records") },
	{ "auto_closed", N_("Auto-closed") },
	{ "shifts", N_("Shifts") },
	{ "shifts_closed", N_("Shifts closed") },
	{ "over_short_minor", N_("Over/short") },
	{ "sales_per_hour_minor", N_("Sales per hour") },
	{ "shift_id", N_("Shift ID") },
	{ "till", N_("Till") },
	{ "opened_at", N_("Opened at") },
	{ "closed_at", N_("Closed at") },
	{ "expected_cash_minor", N_("Cash expected") },
	{ "counted_minor", N_("Cash counted") },
	{ "clocked_in", N_("Clocked in") },
	{ "supplier", N_("Supplier") },
	{ "supplier_name", N_("Supplier name") },
	{ "orders", N_("Orders") },
	{ "received", N_("Received in full") },
	{ "on_time_bp", N_("On-time rate") },
	{ "fill_rate_bp", N_("Fill rate") },
	{ "avg_lead_days", N_("Average lead time (days)") },
	{ "mover_class", N_("Mover class") },
	{ "on_hand", N_("On hand") },
	{ "per_day", N_("Units per day") },
	{ "units", N_("Units sold") },
};

/* Machine values of notes a person reads in words. */
static const Label note_values[] = {
	{ "on_their_own_day", N_("counted on the day of the refund") },
	{ "month_of_first_visit", N_("by the month of the first visit") },
	{ "today", N_("as of today") },
	{ "issued_in_range", N_("coupons issued in the range") },
	{ "seasonal_naive_trend", N_("seasonal naive, with the recent trend") },
};

static const Label titles[] = {
	{ "bought_together", N_("Bought together") },
	{ "complaints", N_("Complaints") },
	{ "movers", N_("Fast and slow movers") },
	{ "staff_hours", N_("Staff hours by week") },
	{ "cashier_performance", N_("Cashier performance") },
	{ "shift_staff", N_("Staff and cash per shift") },
	{ "suppliers", N_("Supplier performance") },
	{ "message_templates", N_("Message templates") },
	{ "sales_daily", N_("Daily sales by store") },
	{ "sales_by_store", N_("Sales by store") },
	{ "sales_hourly", N_("Sales by hour of day") },
	{ "items_top", N_("Best-selling items") },
	{ "items_slow", N_("Slowest-selling items") },
	{ "categories", N_("Sales by category") },
	{ "member_share", N_("Members' share of sales") },
	{ "visits", N_("Visit frequency and basket size") },
	{ "repeat_rate", N_("Repeat-purchase rate") },
	{ "tiers", N_("Tier distribution and movements") },
	{ "staff", N_("Staff performance") },
	{ "points", N_("Points issued, redeemed and expired") },
	{ "coupons", N_("Coupon issue and redemption") },
	{ "stored_value", N_("Stored value") },
	{ "forecast", N_("Sales forecast, next 4 weeks") },
};

static const char *lookup(const Label *t, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].key, key) == 0)
			return _(t[i].label);
	return NULL;
}

const char *report_label(const char *key)
{
	const char *l = lookup(labels, ARRAY_SIZE(labels), key);

	return l ? l : key;
}

const char *report_title(const char *name)
{
	const char *l;

	if (name[0] == '\0')
		return _("Reports");
	l = lookup(titles, ARRAY_SIZE(titles), name);
	return l ? l : name;
}

const char *report_kind_name(Kassa__V1__ColumnKind kind)
{
	switch (kind) {
	case KASSA__V1__COLUMN_KIND__COL_INT: return "int";
	case KASSA__V1__COLUMN_KIND__COL_MONEY: return "money";
	case KASSA__V1__COLUMN_KIND__COL_PERCENT_BP: return "percent_bp";
	case KASSA__V1__COLUMN_KIND__COL_DATE: return "date";
	case KASSA__V1__COLUMN_KIND__COL_HOUR: return "hour";
	case KASSA__V1__COLUMN_KIND__COL_POINTS: return "points";
	case KASSA__V1__COLUMN_KIND__COL_DECIMAL: return "decimal";
	default: return "text";
	}
}

/* s as a whole decimal integer into *v; false if it is not one. */
static bool parse_int(const char *s, int64_t *v)
{
	char *end;

	if (s[0] == '\0')
		return false;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static bool is_numeric(Kassa__V1__ColumnKind kind)
{
	return kind != KASSA__V1__COLUMN_KIND__COL_TEXT &&
	       kind != KASSA__V1__COLUMN_KIND__COL_DATE;
}

char *report_cell_human(Kassa__V1__ColumnKind kind, const char *cell, char *buf, size_t len)
{
	int64_t v;
	uint64_t a;

	if (cell == NULL || cell[0] == '\0') {
		snprintf(buf, len, "-");
		return buf;
	}
	if (!parse_int(cell, &v) || !is_numeric(kind) ||
	    kind == KASSA__V1__COLUMN_KIND__COL_DECIMAL) {
		snprintf(buf, len, "%s", cell);
		return buf;
	}
	a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	switch (kind) {
	case KASSA__V1__COLUMN_KIND__COL_MONEY:
		if (len >= MONEY_FMT_LEN)
			money_format(v, buf, len);
		else
			snprintf(buf, len, "%s", cell);
		break;
	case KASSA__V1__COLUMN_KIND__COL_PERCENT_BP:
		snprintf(buf, len, "%s%" PRIu64 ".%02" PRIu64 "%%", v < 0 ? "-" : "", a / 100,
			 a % 100);
		break;
	case KASSA__V1__COLUMN_KIND__COL_HOUR:
		snprintf(buf, len, "%02" PRId64 ":00", v);
		break;
	default:
		snprintf(buf, len, "%s", cell);
		break;
	}
	return buf;
}

/* A note's value as a person reads it: money, percent, or a known word. */
static void note_human(const Kassa__V1__ReportNote *n, char *buf, size_t len)
{
	size_t kl = strlen(n->key);
	const char *w;

	if (kl > 6 && strcmp(n->key + kl - 6, "_minor") == 0)
		report_cell_human(KASSA__V1__COLUMN_KIND__COL_MONEY, n->value, buf, len);
	else if (kl > 3 && strcmp(n->key + kl - 3, "_bp") == 0)
		report_cell_human(KASSA__V1__COLUMN_KIND__COL_PERCENT_BP, n->value, buf, len);
	else if ((w = lookup(note_values, ARRAY_SIZE(note_values), n->value)) != NULL)
		snprintf(buf, len, "%s", w);
	else
		report_cell_human(KASSA__V1__COLUMN_KIND__COL_TEXT, n->value, buf, len);
}

static const char *row_cell(const Kassa__V1__ReportRow *r, size_t j)
{
	return j < r->n_cells ? r->cells[j] : "";
}

/* The display width of each column: its label, its widest cell (text capped). */
static void column_widths(const Kassa__V1__ReportTable *t, int *w)
{
	char buf[REPORT_CELL_LEN];

	for (size_t j = 0; j < t->n_columns; j++) {
		Kassa__V1__ColumnKind k = t->columns[j]->kind;

		w[j] = textwidth(report_label(t->columns[j]->key));
		for (size_t i = 0; i < t->n_rows; i++) {
			int cw = textwidth(report_cell_human(k, row_cell(t->rows[i], j), buf,
							     sizeof(buf)));
			if (cw > w[j])
				w[j] = cw;
		}
		if (w[j] > REPORT_TEXT_MAX_CELLS)
			w[j] = REPORT_TEXT_MAX_CELLS;
	}
}

/* One line of n texts, each padded to its column's width. */
static bool put_line(FILE *out, const Kassa__V1__ReportTable *t, const int *w,
		     const char *const *texts)
{
	char pad[REPORT_CELL_LEN * 2];

	for (size_t j = 0; j < t->n_columns; j++) {
		TextAlign al = is_numeric(t->columns[j]->kind) ? TEXT_RIGHT : TEXT_LEFT;

		if (fprintf(out, "%s%s", j ? COL_SEP : "",
			    textwidth_pad(pad, sizeof(pad), texts[j], w[j], al)) < 0)
			return false;
	}
	return fputc('\n', out) != EOF;
}

/* The headers, the rule under them and every row. */
static bool put_grid(FILE *out, const Kassa__V1__ReportTable *t, const int *w)
{
	const char **texts = xcalloc(t->n_columns, sizeof(*texts));
	char (*bufs)[REPORT_CELL_LEN] = xcalloc(t->n_columns, sizeof(*bufs));
	bool ok = true;

	for (size_t j = 0; j < t->n_columns; j++)
		texts[j] = report_label(t->columns[j]->key);
	ok = put_line(out, t, w, texts);
	for (size_t j = 0; j < t->n_columns && ok; j++) {
		int n = w[j] < REPORT_CELL_LEN - 1 ? w[j] : REPORT_CELL_LEN - 1;

		memset(bufs[j], '-', (size_t)n);
		bufs[j][n] = '\0';
		texts[j] = bufs[j];
	}
	ok = ok && put_line(out, t, w, texts);
	for (size_t i = 0; i < t->n_rows && ok; i++) {
		for (size_t j = 0; j < t->n_columns; j++)
			texts[j] = report_cell_human(t->columns[j]->kind, row_cell(t->rows[i], j),
						     bufs[j], sizeof(bufs[j]));
		ok = put_line(out, t, w, texts);
	}
	free(bufs);
	free(texts);
	return ok;
}

static bool has_money(const Kassa__V1__ReportTable *t)
{
	for (size_t j = 0; j < t->n_columns; j++)
		if (t->columns[j]->kind == KASSA__V1__COLUMN_KIND__COL_MONEY)
			return true;
	return false;
}

/* The title, the range and the currency. */
static bool put_head(FILE *out, const Kassa__V1__ReportTable *t)
{
	if (fprintf(out, "%s\n", report_title(t->report)) < 0)
		return false;
	if (t->from[0] != '\0' && fprintf(out, "%s .. %s", t->from, t->to) < 0)
		return false;
	if (has_money(t) && t->currency[0] != '\0' &&
	    fprintf(out, "%s%s", t->from[0] != '\0' ? " · " : "", t->currency) < 0)
		return false;
	if ((t->from[0] != '\0' || (has_money(t) && t->currency[0] != '\0')) &&
	    fputc('\n', out) == EOF)
		return false;
	return fputc('\n', out) != EOF;
}

/* The notes and the freshness footer. */
static bool put_foot(FILE *out, const Kassa__V1__ReportTable *t)
{
	char buf[REPORT_CELL_LEN];

	if ((t->n_notes > 0 || t->lag_seconds > 0) && fputc('\n', out) == EOF)
		return false;
	for (size_t i = 0; i < t->n_notes; i++) {
		note_human(t->notes[i], buf, sizeof(buf));
		if (fprintf(out, "%s: %s\n", report_label(t->notes[i]->key), buf) < 0)
			return false;
	}
	if (t->lag_seconds > 0 &&
	    fprintf(out, _("data as of %s (%lld s behind)"), t->data_as_of,
		    (long long)t->lag_seconds) < 0)
		return false;
	return t->lag_seconds <= 0 || fputc('\n', out) != EOF;
}

bool report_render_table(FILE *out, const Kassa__V1__ReportTable *t)
{
	int *w = xcalloc(t->n_columns ? t->n_columns : 1, sizeof(*w));
	bool ok;

	column_widths(t, w);
	ok = put_head(out, t) && put_grid(out, t, w);
	if (ok && t->n_rows == 0)
		ok = fprintf(out, "%s\n", _("(no data in this range)")) >= 0;
	ok = ok && put_foot(out, t);
	free(w);
	return ok && !ferror(out);
}

/* One cell as a JSON value of its column's kind (null for an empty one). */
static json_t *cell_json(Kassa__V1__ColumnKind kind, const char *cell)
{
	int64_t v;

	if (cell == NULL || cell[0] == '\0')
		return json_null();
	if (kind == KASSA__V1__COLUMN_KIND__COL_DECIMAL) {
		char *end;
		double d = strtod(cell, &end);

		return *end == '\0' ? json_real(d) : json_string(cell);
	}
	if (is_numeric(kind) && parse_int(cell, &v))
		return json_integer(v);
	return json_string(cell);
}

json_t *report_table_json(const Kassa__V1__ReportTable *t)
{
	json_t *o = json_object(), *cols = json_array(), *rows = json_array();
	json_t *notes = json_object();

	json_object_set_new(o, "report", json_string(t->report));
	json_object_set_new(o, "from", json_string(t->from));
	json_object_set_new(o, "to", json_string(t->to));
	json_object_set_new(o, "currency", json_string(t->currency));
	json_object_set_new(o, "chart", json_string(t->chart));
	for (size_t j = 0; j < t->n_columns; j++)
		json_array_append_new(cols, json_pack("{s:s, s:s}", "key", t->columns[j]->key,
						      "kind",
						      report_kind_name(t->columns[j]->kind)));
	for (size_t i = 0; i < t->n_rows; i++) {
		json_t *r = json_object();

		for (size_t j = 0; j < t->n_columns; j++)
			json_object_set_new(r, t->columns[j]->key,
					    cell_json(t->columns[j]->kind, row_cell(t->rows[i], j)));
		json_array_append_new(rows, r);
	}
	for (size_t i = 0; i < t->n_notes; i++)
		json_object_set_new(notes, t->notes[i]->key, json_string(t->notes[i]->value));
	json_object_set_new(o, "columns", cols);
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "notes", notes);
	json_object_set_new(o, "data_as_of", json_string(t->data_as_of));
	json_object_set_new(o, "lag_seconds", json_integer(t->lag_seconds));
	return o;
}

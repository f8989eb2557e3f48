/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog_import.c: kassa-office's `product import FILE` (store
 * operations, part "catalog"; docs/store/catalog.md): products from a CSV
 * file ("-": standard input), one ProductPut per row, so every row is
 * checked, stored and audited exactly as `product put` is. The first line
 * names the columns, in any order: sku, name, price (12.34) are needed;
 * barcode, category, currency, active, stocked (yes|no) may follow. Fields
 * may be quoted ("a, b" and "" for a quote). Prints one JSON object: the
 * rows, how many were stored, and each problem with its line, SKU, detail
 * and a message in the user's language. Exit 0 when every row was stored,
 * 1 otherwise (the good rows are stored all the same).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "kc_json.h"
#include "money.h"
#include "office.h"

int cmd_product_import(KassaClient *kc, const Args *a);

#define IMPORT_COLS 8
#define IMPORT_LINE_MAX 4096

enum { COL_SKU, COL_NAME, COL_PRICE, COL_BARCODE, COL_CATEGORY, COL_CURRENCY, COL_ACTIVE,
       COL_STOCKED };

static const char *const col_names[] = { "sku", "name", "price", "barcode", "category",
					 "currency", "active", "stocked" };

/*
 * Split line (modified in place) into at most max fields; quoted fields
 * lose their quotes. The number of fields, or -1 for an unclosed quote.
 */
static int split_csv(char *line, char **f, int max)
{
	int n = 0;
	char *r = line, *w = line;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = w;
		if (*r == '"') {
			for (r++;; r++) {
				if (*r == '\0')
					return -1;
				if (*r == '"' && r[1] == '"')
					*w++ = *r++;
				else if (*r == '"')
					break;
				else
					*w++ = *r;
			}
			r++;
		}
		while (*r && *r != ',')
			*w++ = *r++;
		if (*r == '\0') {
			*w = '\0';
			return n;
		}
		*w++ = '\0';
		r++;
	}
	return n;
}

/* Record a problem of line (sku) in arr. */
static void problem(json_t *arr, int line, const char *sku, const char *detail, const char *msg)
{
	json_array_append_new(arr, json_pack("{s:i, s:s, s:s, s:s}", "line", line, "sku",
					     sku ? sku : "", "detail", detail, "message", msg));
}

/* The column of each known name in the header h (-1: absent); false if a needed one is missing. */
static bool map_header(char *h, int col[IMPORT_COLS])
{
	char *f[32];
	int n = split_csv(h, f, 32);

	for (int c = 0; c < IMPORT_COLS; c++) {
		col[c] = -1;
		for (int i = 0; i < n; i++)
			if (strcmp(f[i], col_names[c]) == 0)
				col[c] = i;
	}
	return col[COL_SKU] >= 0 && col[COL_NAME] >= 0 && col[COL_PRICE] >= 0;
}

/* Field c of the row (n fields), "" when absent. */
static char *field(char **f, int n, const int col[IMPORT_COLS], int c)
{
	return col[c] >= 0 && col[c] < n ? f[col[c]] : (char *)"";
}

/* yes/no/"" (dflt) into *out; false otherwise. */
static bool yes_no(const char *v, bool dflt, bool *out)
{
	*out = v[0] == '\0' ? dflt : strcmp(v, "yes") == 0;
	return v[0] == '\0' || strcmp(v, "yes") == 0 || strcmp(v, "no") == 0;
}

/*
 * Send row (n fields) as a ProductPut; true if stored, else a problem
 * recorded. *conn set when the connection failed (stop there).
 */
static bool import_row(KassaClient *kc, char **f, int n, const int col[IMPORT_COLS], int line,
		       json_t *probs, bool *conn)
{
	Kassa__V1__ProductPut q = KASSA__V1__PRODUCT_PUT__INIT;
	Kassa__V1__Response *r = NULL;
	bool active, stocked, ok = false;
	char key[KC_KEY_LEN];
	KcResult kr;

	q.sku = field(f, n, col, COL_SKU);
	q.name = field(f, n, col, COL_NAME);
	q.barcode = field(f, n, col, COL_BARCODE);
	q.category = field(f, n, col, COL_CATEGORY);
	q.currency = field(f, n, col, COL_CURRENCY);
	if (!money_parse(field(f, n, col, COL_PRICE), &q.price_minor) || q.price_minor < 0) {
		problem(probs, line, q.sku, "BAD_PRICE", _("give the price like 12.34"));
		return false;
	}
	if (!yes_no(field(f, n, col, COL_ACTIVE), true, &active) ||
	    !yes_no(field(f, n, col, COL_STOCKED), true, &stocked)) {
		problem(probs, line, q.sku, "BAD_VALUE", _("active and stocked are yes or no"));
		return false;
	}
	q.withdrawn = !active;
	q.not_stocked = !stocked;
	kc_new_key(key);
	kr = kc_product_put(kc, &q, key, &r);
	if (kr != KC_OK || r == NULL) {
		*conn = true;
		problem(probs, line, q.sku, kc_result_name(kr), kc_last_error(kc));
	} else if (kc_status(r) != KASSA__V1__STATUS_CODE__OK) {
		problem(probs, line, q.sku, kc_detail(r), kc_message(r));
	} else {
		ok = true;
	}
	kc_response_free(r);
	return ok;
}

int cmd_product_import(KassaClient *kc, const Args *a)
{
	const char *cmd = "product import", *file = arg_word(a, 0);
	FILE *in;
	char buf[IMPORT_LINE_MAX], *f[32];
	int col[IMPORT_COLS], line = 1, rows = 0, stored = 0;
	bool conn = false;
	json_t *o, *probs;

	if (file == NULL)
		return bad_usage(cmd, "product import FILE   (CSV: sku,name,price[,barcode,category,"
				      "currency,active,stocked])");
	in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	if (in == NULL) {
		kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "BAD_FILE", _("could not read the file")));
		return OFFICE_EXIT_FAILED;
	}
	if (fgets(buf, sizeof(buf), in) == NULL || !map_header(buf, col)) {
		kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "BAD_HEADER",
				  _("the first line names the columns: sku,name,price and more")));
		if (in != stdin)
			fclose(in);
		return OFFICE_EXIT_FAILED;
	}
	probs = json_array();
	while (!conn && fgets(buf, sizeof(buf), in) != NULL) {
		int n;

		line++;
		if (buf[strspn(buf, " \r\n")] == '\0')
			continue;	/* a blank line */
		rows++;
		n = split_csv(buf, f, 32);
		if (n < 0) {
			problem(probs, line, "", "BAD_CSV", _("a quote is not closed"));
			continue;
		}
		stored += import_row(kc, f, n, col, line, probs, &conn);
	}
	if (in != stdin)
		fclose(in);
	o = json_array_size(probs) == 0 ? kcj_ok(cmd) : kcj_fail(cmd, "INVALID_ARGUMENT", "ROWS_REFUSED",
								_("some rows were not imported"));
	json_object_set_new(o, "rows", json_integer(rows));
	json_object_set_new(o, "imported", json_integer(stored));
	json_object_set_new(o, "problems", probs);
	kcj_emit(o);
	return conn ? OFFICE_EXIT_CONN : stored == rows ? OFFICE_EXIT_OK : OFFICE_EXIT_FAILED;
}

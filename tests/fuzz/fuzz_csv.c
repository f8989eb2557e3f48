/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_csv: the CSV of MemberImport (server/members/import_csv.c), which an
 * admin uploads and kassad parses. Beyond "no memory errors": every row
 * counted good has a normalised phone and a name; written back out with
 * import_csv_record() (the rejected-rows CSV's writer) and parsed again,
 * the good rows come back as the same good rows with the same fields.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "import_csv.h"

/* The header and the good rows of f, written out again as CSV; NULL when out of memory. */
static char *good_rows_csv(const ImportFile *f, size_t *len)
{
	char *out = NULL;
	size_t used = 0, cap = 0;

	if (!import_csv_record(&out, &used, &cap, f->header, f->n_header, NULL))
		goto fail;
	for (size_t i = 0; i < f->n_rows; i++)
		if (f->rows[i].problems == 0 &&
		    !import_csv_record(&out, &used, &cap, f->rows[i].raw, f->rows[i].n_raw, NULL))
			goto fail;
	*len = used;
	return out;
fail:
	free(out);
	return NULL;
}

static void check_again(const ImportFile *f, const char *csv, size_t len)
{
	ImportFile g;
	size_t k = 0;

	memset(&g, 0, sizeof(g));
	if (!import_parse(csv, len, &g)) {
		import_free(&g);	/* out of memory */
		return;
	}
	FUZZ_CHECK(!g.header_bad);
	FUZZ_CHECK(import_good_rows(&g) == g.n_rows);
	FUZZ_CHECK(g.n_rows == import_good_rows(f));
	for (size_t i = 0; i < f->n_rows; i++) {
		const ImportRow *a = &f->rows[i], *b;

		if (a->problems != 0)
			continue;
		b = &g.rows[k++];
		FUZZ_CHECK(a->n_raw == b->n_raw);
		for (size_t j = 0; j < a->n_raw; j++)
			FUZZ_CHECK(strcmp(a->raw[j], b->raw[j]) == 0);
		FUZZ_CHECK(strcmp(a->phone, b->phone) == 0);
	}
	import_free(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ImportFile f;
	size_t good = 0, len = 0;
	char *again;

	memset(&f, 0, sizeof(f));
	if (!import_parse((const char *)data, size, &f)) {
		import_free(&f);	/* out of memory */
		return 0;
	}
	for (size_t i = 0; i < f.n_rows; i++) {
		const ImportRow *r = &f.rows[i];

		if (r->problems != 0)
			continue;
		good++;
		FUZZ_CHECK(r->phone != NULL && r->phone[0] == '+');
		FUZZ_CHECK(r->val[IC_NAME] != NULL && r->val[IC_NAME][0] != '\0');
	}
	FUZZ_CHECK(good == import_good_rows(&f));
	FUZZ_CHECK(!f.header_bad || good == 0);
	if (!f.header_bad && (again = good_rows_csv(&f, &len)) != NULL) {
		check_again(&f, again, len);
		free(again);
	}
	import_free(&f);
	return 0;
}

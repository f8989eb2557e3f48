/* SPDX-License-Identifier: Apache-2.0 */
/*
 * import.c: MemberImport: members from CSV, validated, all or nothing or the
 * valid rows (administrators; docs/care/merge.md).
 *
 * kassad reads and checks every row (import_csv.c: quoting, header,
 * phone, name, card, birthday, gender, channel, consent, lengths, tags,
 * language, duplicates within the file); then one prepared call of
 * kassa_member_import() (migrations/functions/member_import.sql) gets the
 * good rows as arrays, finds those whose phone or card is a member's
 * already, and inserts in one transaction: nothing in a dry run, nothing
 * in all_or_nothing when there is any problem, else every good row not
 * taken; exactly once per idempotency key, audited 'member.import' with
 * counts. The answer lists every problem (line, column, code, a message in
 * the session's language) and the rejected rows as CSV with a "problem"
 * column. A header that does not name phone and name, or more than
 * IMPORT_PROBLEMS_MAX problems, imports nothing and never reaches the
 * database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "members.h"
#include "db.h"
#include "i18n.h"
#include "import_csv.h"
#include "log.h"
#include "sqltext.h"

#define IMPORT_NPARAMS 22

static int st_import;

void member_import_setup(void)
{
	st_import = db_stmt_add("member_import",
		"SELECT r_replay, r_imported, r_committed, r_taken_lines, r_taken_columns"
		" FROM kassa_member_import($1, $2, $3::bytea, $4, $5, $6, $7, $8, $9,"
		" $10::integer[], $11::text[], $12::text[], $13::text[], $14::text[],"
		" $15::smallint[], $16::text[], $17::text[], $18::smallint[], $19::boolean[],"
		" $20::text[], $21::text[], $22::text[])", DB_LANE_WORK);
}

/* A problem's words for people. */
static const char *problem_text(const char *code)
{
	static const struct {
		const char *code, *text;
	} t[] = {
		{ "BAD_QUOTING", N_("the quoting of this record is broken") },
		{ "UNKNOWN_COLUMN", N_("the header names an unknown column") },
		{ "DUPLICATE_COLUMN", N_("the header names this column twice") },
		{ "MISSING_COLUMN", N_("the header must name this column") },
		{ "FIELD_COUNT", N_("this record has another number of fields than the header") },
		{ "PHONE_REQUIRED", N_("a phone number is required") },
		{ "BAD_PHONE", N_("phone is not a valid mobile number") },
		{ "NAME_REQUIRED", N_("a name is required") },
		{ "BAD_NAME", N_("name must be 1-100 bytes of text without leading or trailing spaces") },
		{ "BAD_CARD", N_("card number must be 4-32 letters, digits or dashes") },
		{ "BAD_DATE", N_("a date is YYYY-MM-DD") },
		{ "BAD_GENDER", N_("gender is 0-3 or unspecified, female, male, other") },
		{ "BAD_CHANNEL", N_("channel is 0-3 or none, sms, email, wechat") },
		{ "BAD_CONSENT", N_("consent is yes or no") },
		{ "BAD_EMAIL", N_("email is not an address") },
		{ "BAD_ADDRESS", N_("address is too long") },
		{ "BAD_NOTES", N_("notes are too long") },
		{ "BAD_TAGS", N_("at most 20 tags of 1-32 bytes, separated by ';'") },
		{ "BAD_LANGUAGE", N_("language must be zh_CN or en") },
		{ "DUPLICATE_IN_FILE", N_("an earlier row of the file has this value") },
		{ "PHONE_TAKEN", N_("a member has this phone number already") },
		{ "CARD_TAKEN", N_("a member has this card number already") },
		{ "TOO_MANY_PROBLEMS", N_("more than 1000 problems: nothing was imported; "
					  "fix these and try again") },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (strcmp(t[i].code, code) == 0)
			return _(t[i].text);
	return code;
}

typedef struct ImportAnswer {
	Kassa__V1__MemberImported ok;
	Kassa__V1__ImportProblem *probs;
	Kassa__V1__ImportProblem **pp;
	char *csv;
	size_t csv_len, csv_cap;
} ImportAnswer;

static void answer_free(ImportAnswer *a)
{
	free(a->probs);
	free(a->pp);
	free(a->csv);
}

/* The problem column of a rejected row: "column:CODE;..." of its issues. */
static void row_problem(const ImportIssue *is, size_t n, unsigned line, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && used + 1 < len; i++)
		if (is[i].line == line)
			used += (size_t)snprintf(out + used, len - used, "%s%s%s%s",
						 used ? ";" : "", is[i].column,
						 is[i].column[0] ? ":" : "", is[i].code);
}

static int issue_line_cmp(const void *a, const void *b)
{
	const ImportIssue *x = a, *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

/* Answer from f's issues and is (all of them, sorted by line). */
static void import_answer(Call *c, const ImportFile *f, const ImportIssue *is, size_t n,
			  uint32_t imported, bool committed)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	ImportAnswer a = { KASSA__V1__MEMBER_IMPORTED__INIT, NULL, NULL, NULL, 0, 0 };
	size_t listed = n < IMPORT_PROBLEMS_MAX ? n : IMPORT_PROBLEMS_MAX;
	char problem[512];
	bool mem = true;

	a.probs = calloc(listed + 1, sizeof(*a.probs));
	a.pp = calloc(listed + 1, sizeof(*a.pp));
	if (a.probs == NULL || a.pp == NULL)
		mem = false;
	for (size_t i = 0; mem && i < listed; i++) {
		kassa__v1__import_problem__init(&a.probs[i]);
		a.probs[i].line = is[i].line;
		a.probs[i].column = (char *)is[i].column;
		a.probs[i].code = (char *)is[i].code;
		a.probs[i].message = (char *)problem_text(is[i].code);
		a.pp[i] = &a.probs[i];
	}
	a.ok.n_problems = listed;
	a.ok.problems = a.pp;
	a.ok.rows = (uint32_t)f->n_rows;
	a.ok.imported = imported;
	a.ok.committed = committed;
	for (size_t i = 0; i < f->n_rows; i++) {
		const ImportRow *r = &f->rows[i];

		row_problem(is, n, r->line, problem, sizeof(problem));
		if (problem[0] == '\0')
			continue;
		a.ok.rejected++;
		if (mem && a.csv == NULL)
			mem = import_csv_record(&a.csv, &a.csv_len, &a.csv_cap, f->header,
						f->n_header, "problem");
		if (mem && a.ok.rejected <= IMPORT_PROBLEMS_MAX)
			mem = import_csv_record(&a.csv, &a.csv_len, &a.csv_cap, r->raw, r->n_raw,
						problem);
	}
	if (!mem) {
		answer_free(&a);
		call_fail(c, KASSA__V1__STATUS_CODE__RESOURCE_EXHAUSTED, "OUT_OF_MEMORY", "%s",
			  _("out of memory"));
		return;
	}
	a.ok.rejected_csv = a.csv ? a.csv : "";
	resp.body_case = KASSA__V1__RESPONSE__BODY_MEMBER_IMPORTED;
	resp.member_imported = &a.ok;
	call_reply(c, &resp);
	answer_free(&a);
}

static void import_state_free(void *p)
{
	import_free(p);
	free(p);
}

static void import_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const ImportFile *f = c->state;
	const char *lp, *cp;
	char lbuf[16], cbuf[16];
	ImportIssue *all;
	size_t n;

	if (!call_db_ok(c, st, res))
		return;
	lp = PQgetvalue(res, 0, 3);
	cp = PQgetvalue(res, 0, 4);
	all = malloc((f->n_issues + f->n_rows * 2 + 1) * sizeof(*all));
	if (all == NULL) {
		call_fail(c, KASSA__V1__STATUS_CODE__RESOURCE_EXHAUSTED, "OUT_OF_MEMORY", "%s",
			  _("out of memory"));
		return;
	}
	memcpy(all, f->issues, f->n_issues * sizeof(*all));
	n = f->n_issues;
	while (n < f->n_issues + f->n_rows * 2 && sqltext_array_next(&lp, lbuf, sizeof(lbuf)) &&
	       sqltext_array_next(&cp, cbuf, sizeof(cbuf))) {
		bool phone = strcmp(cbuf, "phone") == 0;

		all[n++] = (ImportIssue){ (unsigned)strtoul(lbuf, NULL, 10),
					  phone ? "phone" : "card_no",
					  phone ? "PHONE_TAKEN" : "CARD_TAKEN" };
	}
	qsort(all, n, sizeof(*all), issue_line_cmp);
	log_call(c, LOG_LVL_INFO, "member import: %zu rows, %s imported%s", f->n_rows,
		 PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0)[0] == 't' ? " (a replay)" : "");
	import_answer(c, f, all, n, (uint32_t)strtoul(PQgetvalue(res, 0, 1), NULL, 10),
		      PQgetvalue(res, 0, 2)[0] == 't');
	free(all);
}

/* The good rows' column col as an array literal into t. */
static void rows_array(SqlText *t, const ImportFile *f, int col, bool as_int)
{
	sqltext_open(t);
	for (size_t i = 0; i < f->n_rows; i++) {
		const ImportRow *r = &f->rows[i];

		if (r->problems)
			continue;
		if (col < 0)
			sqltext_elem_int(t, r->line);
		else if (as_int)
			sqltext_elem_int(t, r->val[col][0] - '0');
		else
			sqltext_elem_str(t, r->val[col]);
	}
	sqltext_close(t);
}

static void import_send(Call *c, const ImportFile *f)
{
	const Kassa__V1__MemberImport *q = c->req->member_import;
	static const int cols[IMPORT_NPARAMS - 9] = {
		-1, IC_PHONE, IC_NAME, IC_CARD_NO, IC_BIRTHDAY, IC_GENDER, IC_EMAIL, IC_ADDRESS,
		IC_CHANNEL, IC_CONSENT, IC_TAGS, IC_NOTES, IC_LANGUAGE,
	};
	SqlText a[IMPORT_NPARAMS - 9], hash = SQLTEXT_INIT;
	char till[24], staff[24], store[24], probs[24], rows[24];
	const char *params[IMPORT_NPARAMS];

	sqltext_hash(&hash, &q->base);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(store, sizeof(store), "%lld", (long long)c->sess->store_id);
	snprintf(probs, sizeof(probs), "%zu", f->n_issues);
	snprintf(rows, sizeof(rows), "%zu", f->n_rows);
	params[0] = till;
	params[1] = c->req->idempotency_key;
	params[2] = sqltext_str(&hash);
	params[3] = staff;
	params[4] = store;
	params[5] = q->dry_run ? "true" : "false";
	params[6] = q->all_or_nothing ? "true" : "false";
	params[7] = probs;
	params[8] = rows;
	for (int i = 0; i < IMPORT_NPARAMS - 9; i++) {
		a[i] = (SqlText)SQLTEXT_INIT;
		rows_array(&a[i], f, cols[i], cols[i] == IC_GENDER || cols[i] == IC_CHANNEL);
		params[9 + i] = sqltext_str(&a[i]);
	}
	db_query(st_import, IMPORT_NPARAMS, params, import_db_cb, c);
	for (int i = 0; i < IMPORT_NPARAMS - 9; i++)
		sqltext_free(&a[i]);
	sqltext_free(&hash);
}

void handle_member_import(Call *c)
{
	const Kassa__V1__MemberImport *q = c->req->member_import;
	size_t len = strlen(q->csv);
	ImportFile *f;

	if (len == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "EMPTY_CSV", "%s",
			  _("the CSV text is empty"));
		return;
	}
	if (len > (size_t)cf_max_frame || !utf8_is_valid(q->csv, len)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CSV",
			  _("the CSV must be UTF-8 text of at most %d bytes"), cf_max_frame);
		return;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL || !import_parse(q->csv, len, f)) {
		if (f != NULL)
			import_free(f);
		free(f);
		call_fail(c, KASSA__V1__STATUS_CODE__RESOURCE_EXHAUSTED, "OUT_OF_MEMORY", "%s",
			  _("out of memory"));
		return;
	}
	c->state = f;
	c->state_free = import_state_free;
	if (f->header_bad) {
		import_answer(c, f, f->issues, f->n_issues, 0, false);
		return;
	}
	if (f->n_issues > IMPORT_PROBLEMS_MAX) {
		f->issues[IMPORT_PROBLEMS_MAX - 1] = (ImportIssue){ 0, "", "TOO_MANY_PROBLEMS" };
		import_answer(c, f, f->issues, IMPORT_PROBLEMS_MAX, 0, false);
		return;
	}
	import_send(c, f);
}

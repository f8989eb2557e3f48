/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_member_import: MemberImport (import.c, import_csv.c,
 * member_import.sql) against the real kassad and database. One file with
 * good rows and bad ones (a bad phone, a missing name, a phone twice in
 * the file, a phone that is a member's already, a bad date, broken
 * quoting): all_or_nothing writes nothing and lists every problem with its
 * line and column; a dry run writes nothing; the valid-rows mode writes
 * exactly the good rows (with their values) and answers the rejected ones
 * as CSV with a problem column; the same key answers the same and writes
 * nothing more; the import is audited with counts; a wrong header imports
 * nothing; an empty request is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"
#include "kc_merge.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define REJECTED_HEADER "phone,name,birthday,gender,marketing_consent,tags,language,problem\r\n"

typedef struct Fixture {
	char good1[32], good2[32], dup[32], taken[32], bad_date[32], quoting[32];
	char csv[2048];
} Fixture;

static bool is_ok(const Kassa__V1__Response *r)
{
	return r && kc_status(r) == ST_OK && r->body_case == KASSA__V1__RESPONSE__BODY_MEMBER_IMPORTED;
}

/* Is there a problem (line, column, code) in the answer? */
static bool problem(const Kassa__V1__MemberImported *m, unsigned line, const char *col,
		    const char *code)
{
	for (size_t i = 0; i < m->n_problems; i++)
		if (m->problems[i]->line == line && strcmp(m->problems[i]->column, col) == 0 &&
		    strcmp(m->problems[i]->code, code) == 0 && m->problems[i]->message[0])
			return true;
	return false;
}

/* Members with any of the fixture's phones (the taken one excepted). */
static int64_t written(Harness *h, const Fixture *x)
{
	return it_sql_int(h, "SELECT count(*) FROM members WHERE phone IN ('%s', '%s', '%s',"
			  " '%s', '%s')", x->good1, x->good2, x->dup, x->bad_date, x->quoting);
}

static void fixture(Harness *h, KassaClient *cashier, Fixture *x)
{
	char d[32];

	it_fresh_phone(x->good1);
	it_fresh_phone(x->good2);
	it_fresh_phone(x->dup);
	it_fresh_phone(x->bad_date);
	it_fresh_phone(x->quoting);
	it_register(h, cashier, "Import Taken", x->taken);
	snprintf(d, sizeof(d), "%s", x->dup + 3);	/* the same number, national notation */
	snprintf(x->csv, sizeof(x->csv),
		 "phone,name,birthday,gender,marketing_consent,tags,language\r\n"
		 "%s,\"Wang, Fang\",1985-06-01,female,yes,vip;tea,en\r\n"	/* 2 good */
		 "12345,Bad Phone,,,,,\r\n"					/* 3 */
		 "%s,,,,,,\r\n"							/* 4 no name */
		 "%s,First,,,,,\r\n"						/* 5 good */
		 "%s,Second,,,,,\r\n"						/* 6 dup of 5 */
		 "%s,Taken,,,,,\r\n"						/* 7 taken */
		 "%s,Bad Date,1990-13-01,,,,\r\n"				/* 8 */
		 "%s,\"Bro\"ken,,,,,\r\n"					/* 9 quoting */
		 "%s,李雷,,,no,,zh_CN\r\n",					/* 10 good */
		 x->good1, x->bad_date, x->dup, d, x->taken, x->bad_date, x->quoting, x->good2);
}

static void check_problems(const Kassa__V1__MemberImported *m)
{
	CHECK(m->rows == 9, "9 data rows, got %u", m->rows);
	CHECK(problem(m, 3, "phone", "BAD_PHONE"), "bad phone on line 3");
	CHECK(problem(m, 4, "name", "NAME_REQUIRED"), "missing name on line 4");
	CHECK(problem(m, 6, "phone", "DUPLICATE_IN_FILE"), "duplicate on line 6");
	CHECK(problem(m, 7, "phone", "PHONE_TAKEN"), "taken phone on line 7");
	CHECK(problem(m, 8, "birthday", "BAD_DATE"), "bad date on line 8");
	CHECK(problem(m, 9, "", "BAD_QUOTING"), "bad quoting on line 9");
	CHECK(m->rejected == 6, "6 rejected, got %u", m->rejected);
}

static void test_all_or_nothing_and_dry_run(Harness *h)
{
	KassaClient *cashier = it_cashier(h);
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	Kassa__V1__Response *r = NULL;
	Fixture x;
	char key[KC_KEY_LEN];
	int64_t audits = it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'member.import'");

	if (!CHECK(cashier && admin, "logins"))
		goto out;
	fixture(h, cashier, &x);
	kc_new_key(key);
	if (CHECK(kc_member_import(admin, x.csv, true, false, key, &r) == KC_OK && is_ok(r),
		  "all or nothing answers: %s", r ? kc_detail(r) : kc_last_error(admin))) {
		check_problems(r->member_imported);
		CHECK(!r->member_imported->committed && r->member_imported->imported == 0,
		      "all or nothing: not committed");
	}
	CHECK(written(h, &x) == 0, "all or nothing wrote nothing");
	kc_response_free(r);
	r = NULL;
	kc_new_key(key);
	if (CHECK(kc_member_import(admin, x.csv, false, true, key, &r) == KC_OK && is_ok(r),
		  "dry run answers")) {
		check_problems(r->member_imported);
		CHECK(!r->member_imported->committed, "a dry run commits nothing");
	}
	CHECK(written(h, &x) == 0, "the dry run wrote nothing");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'member.import'") ==
	      audits, "neither is audited as an import");
	kc_response_free(r);
	r = NULL;

	/* a header without the name column, an unknown one: nothing */
	kc_new_key(key);
	if (CHECK(kc_member_import(admin, "phone,nick\r\n13800000000,A\r\n", false, false, key,
				   &r) == KC_OK && is_ok(r), "wrong header answers"))
		CHECK(!r->member_imported->committed &&
		      problem(r->member_imported, 1, "name", "MISSING_COLUMN") &&
		      problem(r->member_imported, 1, "", "UNKNOWN_COLUMN"), "header problems");
	kc_response_free(r);
	r = NULL;
	kc_new_key(key);
	CHECK(kc_member_import(admin, "", false, false, key, &r) == KC_OK &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT &&
	      strcmp(kc_detail(r), "EMPTY_CSV") == 0, "an empty CSV is refused");
out:
	kc_response_free(r);
	kc_free(admin);
	kc_free(cashier);
}

static void test_valid_rows(Harness *h)
{
	KassaClient *cashier = it_cashier(h);
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	Kassa__V1__Response *r = NULL, *r2 = NULL;
	Fixture x;
	char key[KC_KEY_LEN];

	if (!CHECK(cashier && admin, "logins"))
		goto out;
	fixture(h, cashier, &x);
	kc_new_key(key);
	if (!CHECK(kc_member_import(admin, x.csv, false, false, key, &r) == KC_OK && is_ok(r),
		   "valid rows answers: %s", r ? kc_detail(r) : kc_last_error(admin)))
		goto out;
	check_problems(r->member_imported);
	CHECK(r->member_imported->committed && r->member_imported->imported == 3,
	      "3 imported, got %u", r->member_imported->imported);
	CHECK(written(h, &x) == 3, "exactly the good rows written");
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE phone = '%s' AND name = 'Wang, Fang'"
			 " AND birthday = '1985-06-01' AND gender = 1 AND marketing_consent"
			 " AND tags = '{vip,tea}' AND language = 'en'", x.good1) == 1,
	      "the first row's values");
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE phone = '%s' AND name = 'First'",
			 x.dup) == 1, "the first of the duplicates is imported");
	CHECK(strncmp(r->member_imported->rejected_csv, REJECTED_HEADER,
		      strlen(REJECTED_HEADER)) == 0, "rejected CSV header: %.80s",
	      r->member_imported->rejected_csv);
	CHECK(strstr(r->member_imported->rejected_csv, "12345,Bad Phone,,,,,,phone:BAD_PHONE\r\n")
	      != NULL, "a rejected row with its problem");
	CHECK(strstr(r->member_imported->rejected_csv, "phone:PHONE_TAKEN") != NULL,
	      "the taken row is rejected");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'member.import'"
			 " AND (detail->>'imported')::int = 3 AND (detail->>'rows')::int = 9") >= 1,
	      "audited with counts");

	CHECK(kc_member_import(admin, x.csv, false, false, key, &r2) == KC_OK && is_ok(r2) &&
	      it_same_response(r, r2), "the same key answers the same");
	CHECK(written(h, &x) == 3, "and writes nothing more");
out:
	kc_response_free(r);
	kc_response_free(r2);
	kc_free(admin);
	kc_free(cashier);
}

/* More than 1000 problems: nothing imported in either mode, 1000 listed. */
static void test_too_many(Harness *h)
{
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	Kassa__V1__Response *r = NULL;
	size_t cap = 64 + 1100 * 12, n;
	char *csv = malloc(cap), key[KC_KEY_LEN], good[32];
	const Kassa__V1__MemberImported *m;

	if (!CHECK(admin && csv, "login"))
		goto out;
	it_fresh_phone(good);
	n = (size_t)snprintf(csv, cap, "phone,name\n%s,Good\n", good);
	for (int i = 0; i < 1100; i++)
		n += (size_t)snprintf(csv + n, cap - n, "1%d,X\n", i);
	kc_new_key(key);
	if (CHECK(kc_member_import(admin, csv, false, false, key, &r) == KC_OK && is_ok(r),
		  "answers")) {
		m = r->member_imported;
		CHECK(!m->committed && m->imported == 0 && m->n_problems == 1000 &&
		      strcmp(m->problems[999]->code, "TOO_MANY_PROBLEMS") == 0,
		      "refused whole: committed %d, %zu problems", m->committed, m->n_problems);
	}
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE phone = '%s'", good) == 0,
	      "not even the good row");
out:
	free(csv);
	kc_response_free(r);
	kc_free(admin);
}

static const HarnessTest tests[] = {
	{ "too_many", test_too_many },
	{ "all_or_nothing_and_dry_run", test_all_or_nothing_and_dry_run },
	{ "valid_rows", test_valid_rows },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

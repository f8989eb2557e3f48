/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_complaint_state.c: the rules of complaints (server/crm/complaint_state.c):
 * every move of the state machine, allowed or refused, the notes a move
 * needs, the categories, the text checks and the low-rating rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "complaint_state.h"

static void test_status_names(void **state)
{
	(void)state;
	assert_int_equal(complaint_status_parse("open"), CS_OPEN);
	assert_int_equal(complaint_status_parse("in_progress"), CS_IN_PROGRESS);
	assert_int_equal(complaint_status_parse("resolved"), CS_RESOLVED);
	assert_int_equal(complaint_status_parse("rejected"), CS_REJECTED);
	assert_int_equal(complaint_status_parse(""), CS_INVALID);
	assert_int_equal(complaint_status_parse("Open"), CS_INVALID);
	assert_int_equal(complaint_status_parse("closed"), CS_INVALID);
	for (int s = CS_OPEN; s <= CS_REJECTED; s++)
		assert_int_equal(complaint_status_parse(complaint_status_name((ComplaintStatus)s)), s);
	assert_string_equal(complaint_status_name(CS_INVALID), "");
}

/* The whole table: every (from, to) with a note, and what a missing note changes. */
static void test_every_move(void **state)
{
	/* expected[from][to] with a note */
	static const ComplaintMove with_note[4][4] = {
		/* to: open         in_progress        resolved           rejected */
		{ CM_OK, CM_OK, CM_OK, CM_OK },					/* open */
		{ CM_OK, CM_OK, CM_OK, CM_OK },					/* in_progress */
		{ CM_OK, CM_BAD_TRANSITION, CM_OK, CM_BAD_TRANSITION },		/* resolved */
		{ CM_OK, CM_BAD_TRANSITION, CM_BAD_TRANSITION, CM_OK },		/* rejected */
	};
	static const ComplaintMove without_note[4][4] = {
		{ CM_OK, CM_OK, CM_NOTE_REQUIRED, CM_NOTE_REQUIRED },
		{ CM_OK, CM_OK, CM_NOTE_REQUIRED, CM_NOTE_REQUIRED },
		{ CM_NOTE_REQUIRED, CM_BAD_TRANSITION, CM_OK, CM_BAD_TRANSITION },
		{ CM_NOTE_REQUIRED, CM_BAD_TRANSITION, CM_BAD_TRANSITION, CM_OK },
	};

	(void)state;
	for (int f = 0; f < 4; f++)
		for (int t = 0; t < 4; t++) {
			assert_int_equal(complaint_move_check((ComplaintStatus)f, (ComplaintStatus)t,
							      true), with_note[f][t]);
			assert_int_equal(complaint_move_check((ComplaintStatus)f, (ComplaintStatus)t,
							      false), without_note[f][t]);
		}
}

static void test_illegal_moves(void **state)
{
	(void)state;
	/* a closed ticket leaves only by a reopen */
	assert_int_equal(complaint_move_check(CS_RESOLVED, CS_IN_PROGRESS, true), CM_BAD_TRANSITION);
	assert_int_equal(complaint_move_check(CS_RESOLVED, CS_REJECTED, true), CM_BAD_TRANSITION);
	assert_int_equal(complaint_move_check(CS_REJECTED, CS_RESOLVED, true), CM_BAD_TRANSITION);
	assert_int_equal(complaint_move_check(CS_REJECTED, CS_IN_PROGRESS, false), CM_BAD_TRANSITION);
	/* an unknown status is never a move */
	assert_int_equal(complaint_move_check(CS_INVALID, CS_OPEN, true), CM_BAD_TRANSITION);
	assert_int_equal(complaint_move_check(CS_OPEN, CS_INVALID, true), CM_BAD_TRANSITION);
	assert_int_equal(complaint_move_check(CS_INVALID, CS_INVALID, true), CM_BAD_TRANSITION);
}

static void test_categories(void **state)
{
	(void)state;
	assert_true(complaint_category_is_valid("product"));
	assert_true(complaint_category_is_valid("service"));
	assert_true(complaint_category_is_valid("price"));
	assert_true(complaint_category_is_valid("queue"));
	assert_true(complaint_category_is_valid("other"));
	assert_false(complaint_category_is_valid(""));
	assert_false(complaint_category_is_valid("rude"));
	assert_false(complaint_category_is_valid("Product"));
}

static void test_texts(void **state)
{
	char big[1100 * 3 + 1];

	(void)state;
	assert_false(complaint_text_is_valid("", 1000, false));
	assert_true(complaint_text_is_valid("", 1000, true));
	assert_true(complaint_text_is_valid("找不到收据\n第二行\t", 1000, false));
	assert_false(complaint_text_is_valid("bell\a", 1000, false));
	assert_false(complaint_text_is_valid("del\x7f", 1000, false));
	assert_false(complaint_text_is_valid("\xff\xfe", 1000, false));
	/* characters are counted, not bytes: 1000 CJK characters pass, 1001 do not */
	big[0] = '\0';
	for (int i = 0; i < 1000; i++)
		strcat(big, "字");
	assert_true(complaint_text_is_valid(big, 1000, false));
	strcat(big, "字");
	assert_false(complaint_text_is_valid(big, 1000, false));
}

static void test_rating_rule(void **state)
{
	(void)state;
	assert_true(complaint_rating_opens(1, 2));
	assert_true(complaint_rating_opens(2, 2));
	assert_false(complaint_rating_opens(3, 2));
	assert_false(complaint_rating_opens(4, 2));
	assert_false(complaint_rating_opens(1, 0));	/* 0 = off */
	assert_true(complaint_rating_opens(5, 5));
	assert_false(complaint_rating_opens(0, 5));	/* not a rating */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_every_move),
		cmocka_unit_test(test_illegal_moves),
		cmocka_unit_test(test_categories),
		cmocka_unit_test(test_texts),
		cmocka_unit_test(test_rating_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

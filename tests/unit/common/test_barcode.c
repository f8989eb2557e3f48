/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_barcode: GS1 check digits of EAN-13, UPC-A and EAN-8 as printed on
 * real goods; a wrong check digit, a wrong length and a non-digit are
 * refused, each for its own reason; leading zeros count as digits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "barcode.h"

static void test_valid(void **state)
{
	(void)state;
	assert_int_equal(barcode_check("4006381333931"), BARCODE_OK);	/* EAN-13 */
	assert_int_equal(barcode_check("9780306406157"), BARCODE_OK);	/* ISBN-13 */
	assert_int_equal(barcode_check("6901028075763"), BARCODE_OK);	/* a Chinese 690 prefix */
	assert_int_equal(barcode_check("036000291452"), BARCODE_OK);	/* UPC-A */
	assert_int_equal(barcode_check("96385074"), BARCODE_OK);	/* EAN-8 */
}

static void test_wrong_check_digit(void **state)
{
	(void)state;
	assert_int_equal(barcode_check("4006381333932"), BARCODE_BAD_CHECK);
	assert_int_equal(barcode_check("036000291453"), BARCODE_BAD_CHECK);
	assert_int_equal(barcode_check("96385075"), BARCODE_BAD_CHECK);
	/* two neighbouring digits swapped: the weights catch it */
	assert_int_equal(barcode_check("4003681333931"), BARCODE_BAD_CHECK);
	/* every wrong last digit of a good code is refused */
	for (char d = '0'; d <= '9'; d++) {
		char code[] = "4006381333931";

		code[12] = d;
		assert_int_equal(barcode_check(code), d == '1' ? BARCODE_OK : BARCODE_BAD_CHECK);
	}
}

static void test_wrong_length(void **state)
{
	(void)state;
	assert_int_equal(barcode_check(""), BARCODE_BAD_LENGTH);
	assert_int_equal(barcode_check("400638133393"), BARCODE_BAD_CHECK);	/* 12: a UPC-A, wrong */
	assert_int_equal(barcode_check("40063813339310"), BARCODE_BAD_LENGTH);
	assert_int_equal(barcode_check("1234567"), BARCODE_BAD_LENGTH);
	assert_int_equal(barcode_check("1234567890"), BARCODE_BAD_LENGTH);
}

static void test_non_digits(void **state)
{
	(void)state;
	assert_int_equal(barcode_check("40063813339 1"), BARCODE_NOT_DIGITS);
	assert_int_equal(barcode_check("4006381333-31"), BARCODE_NOT_DIGITS);
	assert_int_equal(barcode_check("ABCDEFGHIJKLM"), BARCODE_NOT_DIGITS);
	assert_int_equal(barcode_check("-0638133393"), BARCODE_BAD_LENGTH);
	assert_int_equal(barcode_check("9638507x"), BARCODE_NOT_DIGITS);
}

static void test_leading_zeros(void **state)
{
	(void)state;
	/* a UPC-A and the EAN-13 it is with a leading zero: the same check digit */
	assert_int_equal(barcode_check("012345678905"), BARCODE_OK);
	assert_int_equal(barcode_check("0012345678905"), BARCODE_OK);
	assert_int_equal(barcode_check("0000000000000"), BARCODE_OK);
	assert_int_equal(barcode_check("00000000"), BARCODE_OK);
	assert_int_equal(barcode_check("0000000000001"), BARCODE_BAD_CHECK);
	assert_int_equal(barcode_check_digit("00000000000", 11), 0);
	assert_int_equal(barcode_check_digit("01234567890", 11), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_wrong_check_digit),
		cmocka_unit_test(test_wrong_length),
		cmocka_unit_test(test_non_digits),
		cmocka_unit_test(test_leading_zeros),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

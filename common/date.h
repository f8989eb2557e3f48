/* SPDX-License-Identifier: Apache-2.0 */
/*
 * date: calendar dates as the protocol and the rule set write them,
 * "YYYY-MM-DD" in the Gregorian calendar. Pure: no clock, no time zone;
 * whoever needs "today" passes it in.
 */
#ifndef KASSA_DATE_H
#define KASSA_DATE_H

#include <stdbool.h>

#define DATE_YEAR_MIN 1900	/* earlier dates are refused as typing errors */
#define DATE_YEAR_MAX 9999

/* Is y a leap year? */
bool date_is_leap(int y);

/* Days in month m (1-12) of year y; 0 for a month out of range. */
int date_days_in_month(int y, int m);

/*
 * Read s as exactly "YYYY-MM-DD", a real date with DATE_YEAR_MIN <= year
 * <= DATE_YEAR_MAX; true and the parts (each pointer may be NULL) if so.
 */
bool date_parse(const char *s, int *year, int *month, int *day);

#endif

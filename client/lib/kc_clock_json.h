/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_clock_json: staff time's answers as the JSON that kassa-till --script
 * and kassa-office print (defined in kc_clock.c): times UTC as sent,
 * durations in seconds and as "hours" with two decimals.
 */
#ifndef KASSA_KC_CLOCK_JSON_H
#define KASSA_KC_CLOCK_JSON_H

#include <jansson.h>

#include "kassa.pb-c.h"

/* A clock record as a new JSON object. */
json_t *kcj_clock_record(const Kassa__V1__ClockRecord *r);
/* Add a page's week, records, hours (and a shift's cash count) to o. */
void kcj_clock_page(json_t *o, const Kassa__V1__ClockPage *p);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_counts: the requests of stock counts and transfers (store operations, part "counts";
 * being written). Each wrapper is one kc_call() (kc_transport.h).
 */
#ifndef KASSA_KC_COUNTS_H
#define KASSA_KC_COUNTS_H

#include "kc_transport.h"

#endif

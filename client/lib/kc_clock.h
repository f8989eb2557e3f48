/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_clock: the requests of clock in and out (store operations, part "clock";
 * being written). Each wrapper is one kc_call() (kc_transport.h).
 */
#ifndef KASSA_KC_CLOCK_H
#define KASSA_KC_CLOCK_H

#include "kc_transport.h"

#endif

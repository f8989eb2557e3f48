/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_tills: the requests of tills (store operations, part "tills";
 * being written). Each wrapper is one kc_call() (kc_transport.h).
 */
#ifndef KASSA_KC_TILLS_H
#define KASSA_KC_TILLS_H

#include "kc_transport.h"

#endif

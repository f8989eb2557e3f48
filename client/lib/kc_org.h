/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_org: the requests of stores, staff and PINs (store operations, part "org";
 * being written). Each wrapper is one kc_call() (kc_transport.h).
 */
#ifndef KASSA_KC_ORG_H
#define KASSA_KC_ORG_H

#include "kc_transport.h"

#endif

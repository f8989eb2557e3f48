/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_supply: the requests of suppliers, purchase orders, goods receiving (store operations, part "supply";
 * being written). Each wrapper is one kc_call() (kc_transport.h).
 */
#ifndef KASSA_KC_SUPPLY_H
#define KASSA_KC_SUPPLY_H

#include "kc_transport.h"

#endif

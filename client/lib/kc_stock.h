/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_stock: the requests of stock levels, moves, adjustments, alerts (store operations, part "stock";
 * being written). Each wrapper is one kc_call() (kc_transport.h).
 */
#ifndef KASSA_KC_STOCK_H
#define KASSA_KC_STOCK_H

#include "kc_transport.h"

#endif

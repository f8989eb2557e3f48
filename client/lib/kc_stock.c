/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_stock.c: the requests of stock levels, moves, adjustments, alerts (being written).
 */
#include "kassa_client.h"

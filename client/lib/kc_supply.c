/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_supply.c: the requests of suppliers, purchase orders, goods receiving (being written).
 */
#include "kassa_client.h"

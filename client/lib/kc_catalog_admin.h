/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_catalog_admin: the requests of products, categories, price lists, the gift catalogue (store operations, part "catalog";
 * being written). Each wrapper is one kc_call() (kc_transport.h).
 */
#ifndef KASSA_KC_CATALOG_ADMIN_H
#define KASSA_KC_CATALOG_ADMIN_H

#include "kc_transport.h"

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_catalog_admin.c: the requests of products, categories, price lists, the gift catalogue (being written).
 */
#include "kassa_client.h"

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_counts.c: the requests of stock counts and transfers (being written).
 */
#include "kassa_client.h"

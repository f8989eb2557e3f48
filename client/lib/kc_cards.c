/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_cards.c: the requests of service items and count cards (being written).
 */
#include "kassa_client.h"

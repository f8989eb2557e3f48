/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_cards: the requests of service items and count cards (store operations, part "cards";
 * being written). Each wrapper is one kc_call() (kc_transport.h).
 */
#ifndef KASSA_KC_CARDS_H
#define KASSA_KC_CARDS_H

#include "kc_transport.h"

#endif

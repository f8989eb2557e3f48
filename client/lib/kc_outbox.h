/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_outbox.h: endpoints and the outbox.
 */
#ifndef KASSA_KC_OUTBOX_H
#define KASSA_KC_OUTBOX_H

#include "kassa_client.h"

#endif

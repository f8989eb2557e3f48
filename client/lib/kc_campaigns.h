/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_campaigns.h: campaigns.
 */
#ifndef KASSA_KC_CAMPAIGNS_H
#define KASSA_KC_CAMPAIGNS_H

#include "kassa_client.h"

#endif

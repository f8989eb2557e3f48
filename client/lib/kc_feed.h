/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_feed.h: the event feed and customer care's jobs.
 */
#ifndef KASSA_KC_FEED_H
#define KASSA_KC_FEED_H

#include "kassa_client.h"

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_feed.c: the event feed and customer care's jobs.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "kc_feed.h"

typedef int kc_feed_placeholder;

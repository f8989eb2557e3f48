/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_campaigns.c: campaigns.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "kc_campaigns.h"

typedef int kc_campaigns_placeholder;

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_outbox.c: endpoints and the outbox.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "kc_outbox.h"

typedef int kc_outbox_placeholder;

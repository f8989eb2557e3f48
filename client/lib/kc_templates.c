/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_templates.c: message templates.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "kc_templates.h"

typedef int kc_templates_placeholder;

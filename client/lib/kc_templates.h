/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_templates.h: message templates.
 */
#ifndef KASSA_KC_TEMPLATES_H
#define KASSA_KC_TEMPLATES_H

#include "kassa_client.h"

#endif

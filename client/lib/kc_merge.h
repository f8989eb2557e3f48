/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_merge.h: member merge and import.
 */
#ifndef KASSA_KC_MERGE_H
#define KASSA_KC_MERGE_H

#include "kassa_client.h"

#endif

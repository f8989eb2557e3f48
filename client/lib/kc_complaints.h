/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_complaints.h: complaints and feedback lists.
 */
#ifndef KASSA_KC_COMPLAINTS_H
#define KASSA_KC_COMPLAINTS_H

#include "kassa_client.h"

#endif

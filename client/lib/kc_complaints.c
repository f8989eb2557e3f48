/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_complaints.c: complaints and feedback lists.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "kc_complaints.h"

typedef int kc_complaints_placeholder;

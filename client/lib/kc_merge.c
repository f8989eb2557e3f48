/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_merge.c: member merge and import.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "kc_merge.h"

typedef int kc_merge_placeholder;

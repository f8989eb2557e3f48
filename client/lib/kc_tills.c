/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_tills.c: the requests of tills (being written).
 */
#include "kassa_client.h"

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_clock.c: the requests of clock in and out (being written).
 */
#include "kassa_client.h"

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_org.c: the requests of stores, staff and PINs (being written).
 */
#include "kassa_client.h"

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_card.c: kassa-till --script commands of store operations, part "cards"
 * (being written).
 */
#include "script_cmds.h"

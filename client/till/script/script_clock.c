/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_clock.c: kassa-till --script commands of store operations, part "clock"
 * (being written).
 */
#include "script_cmds.h"

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_pin.c: kassa-till --script commands of store operations, part "org"
 * (being written).
 */
#include "script_cmds.h"

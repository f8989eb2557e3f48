/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_count.c: kassa-till --script commands of store operations, part "counts"
 * (being written).
 */
#include "script_cmds.h"

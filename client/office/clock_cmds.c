/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock_cmds.c: kassa-office's commands of store operations, part "clock"
 * (being written); listed in store_ops.c.
 */
#include "office.h"

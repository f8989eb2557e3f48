/* SPDX-License-Identifier: Apache-2.0 */
/*
 * till_cmds.c: kassa-office's commands of store operations, part "tills"
 * (being written); listed in store_ops.c.
 */
#include "office.h"

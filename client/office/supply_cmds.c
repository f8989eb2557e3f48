/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supply_cmds.c: kassa-office's commands of store operations, part "supply"
 * (being written); listed in store_ops.c.
 */
#include "office.h"

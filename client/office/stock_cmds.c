/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stock_cmds.c: kassa-office's commands of store operations, part "stock"
 * (being written); listed in store_ops.c.
 */
#include "office.h"

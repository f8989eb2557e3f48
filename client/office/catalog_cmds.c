/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog_cmds.c: kassa-office's commands of store operations, part "catalog"
 * (being written); listed in store_ops.c.
 */
#include "office.h"

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count_cmds.c: kassa-office's commands of store operations, part "counts"
 * (being written); listed in store_ops.c.
 */
#include "office.h"

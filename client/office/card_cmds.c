/* SPDX-License-Identifier: Apache-2.0 */
/*
 * card_cmds.c: kassa-office's commands of store operations, part "cards"
 * (being written); listed in store_ops.c.
 */
#include "office.h"

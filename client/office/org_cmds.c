/* SPDX-License-Identifier: Apache-2.0 */
/*
 * org_cmds.c: kassa-office's commands of store operations, part "org"
 * (being written); listed in store_ops.c.
 */
#include "office.h"

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_ops.h: the table of kassa-office's store-operations commands
 * (store_ops.c), searched by main.c after its own, and their usage text.
 */
#ifndef KASSA_OFFICE_STORE_OPS_H
#define KASSA_OFFICE_STORE_OPS_H

#include <stdio.h>

#include "office.h"

typedef struct OfficeCmdRow {
	const char *verb, *sub;		/* sub NULL: a one-word command */
	OfficeCmd fn;
} OfficeCmdRow;

/* The commands, ended by a row of NULLs. */
extern const OfficeCmdRow store_ops_cmds[];
/* Print their part of the usage text to f. */
void store_ops_usage(FILE *f);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_ops.c: kassa-office's store-operations commands (stores, tills,
 * staff, the catalogue, stock, counts, transfers, suppliers, count cards,
 * staff time): their table, which main.c's find_cmd() searches after its
 * own, and their part of the usage text. The commands live by family in
 * the *_cmds.c files named below.
 */
#include <stdio.h>

#include "i18n.h"
#include "office.h"
#include "store_ops.h"

/* store-ops/org: declarations (org_cmds.c) */
/* store-ops/tills: declarations (till_cmds.c) */
/* store-ops/catalog: declarations (catalog_cmds.c) */
/* store-ops/stock: declarations (stock_cmds.c) */
/* store-ops/counts: declarations (count_cmds.c) */
/* store-ops/supply: declarations (supply_cmds.c) */
/* store-ops/cards: declarations (card_cmds.c) */
/* store-ops/clock: declarations (clock_cmds.c) */

const OfficeCmdRow store_ops_cmds[] = {
	/* store-ops/org: rows */
	/* store-ops/tills: rows */
	/* store-ops/catalog: rows */
	/* store-ops/stock: rows */
	/* store-ops/counts: rows */
	/* store-ops/supply: rows */
	/* store-ops/cards: rows */
	/* store-ops/clock: rows */
	{ NULL, NULL, NULL },
};

void store_ops_usage(FILE *f)
{
	fprintf(f, "%s\n", _("store operations:"));
	/* store-ops/org: usage */
	/* store-ops/tills: usage */
	/* store-ops/catalog: usage */
	/* store-ops/stock: usage */
	/* store-ops/counts: usage */
	/* store-ops/supply: usage */
	/* store-ops/cards: usage */
	/* store-ops/clock: usage */
}

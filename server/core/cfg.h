/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfg.h: the parts of kassad's configuration (cfg.c) beyond core.h's
 * cfg_load()/cfg_validate(): the command line's --set overrides, a
 * reload's shadow copy (read, compared, swapped in or left out) and the
 * effective configuration printed for check-config with its origins.
 */
#ifndef KASSA_CFG_H
#define KASSA_CFG_H

#include <stdbool.h>
#include <stdio.h>
#include "util.h"

/*
 * Remember "section.key=value" (--set) to apply over the file and the
 * environment on every cfg_load() and reload. False when it is not of that
 * shape (the key itself is checked when loading).
 */
MUSTCHECK bool cfg_add_override(const char *assignment);

/* Forget every --set (for tests). */
void cfg_clear_overrides(void);

/* Every key, "section.key = value  # origin", secrets redacted. */
void cfg_print(FILE *f);

/* A configuration read again (same file, environment, --set), not applied yet. */
typedef struct CfgShadow CfgShadow;

/* NULL (with the reasons logged) when the file is unreadable or has a bad key or value. */
CfgShadow *cfg_shadow_read(void);
void cfg_shadow_free(CfgShadow *s);

/* fn for each key whose shadow value differs from the live one. */
typedef void (*CfgChangeFn)(const char *section, const char *name, bool restart_only, void *arg);
void cfg_shadow_changes(const CfgShadow *s, CfgChangeFn fn, void *arg);

/*
 * Exchange live and shadow values (the cf_ variables follow): every key,
 * only those a running kassad applies, or only the restart-only ones.
 * Swapping the same set twice restores it.
 */
typedef enum CfgSwap {
	CFG_SWAP_ALL = 0,
	CFG_SWAP_LIVE,
	CFG_SWAP_RESTART,
} CfgSwap;
void cfg_shadow_swap(CfgShadow *s, CfgSwap which);

/* The first error cfg_load(), a shadow read or cfg_validate() logged since the clear; "" if none. */
void cfg_clear_error(void);
const char *cfg_first_error(void);

#endif

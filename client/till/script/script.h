/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script: kassa-till --script. Reads one command per line, answers each
 * with exactly one JSON object on one line of stdout (flushed), never
 * prompts. The commands are documented in the README ("kassa-till
 * --script"); script.c runs them, the command families live in
 * script_member.c, script_sale.c and script_refund.c (script_cmds.h).
 */
#ifndef KASSA_TILL_SCRIPT_H
#define KASSA_TILL_SCRIPT_H

#include <stdio.h>

#include "kassa_client.h"
#include "kc_cli.h"
#include "till.h"

/* Exit codes of kassa-till: those of kc_cli.h, shared with kassa-office. */
#define TILL_EXIT_OK KC_EXIT_OK		/* every command succeeded */
#define TILL_EXIT_FAILED KC_EXIT_FAILED	/* at least one command failed; processing went on */
#define TILL_EXIT_USAGE KC_EXIT_USAGE	/* usage or configuration error */
#define TILL_EXIT_CONN KC_EXIT_CONN	/* could not connect, TLS refused, or connection lost */

/*
 * Run the commands read from in through the session ts (borrowed; every
 * request goes through till_call()) until end of input or "quit".
 * Returns a TILL_EXIT_* code: TILL_EXIT_CONN when some command failed
 * while the server could not be reached (the run goes on, offline).
 */
int script_run(TillSession *ts, FILE *in);

/*
 * Split line into words in out (at least strlen(line) + 1 bytes). A word
 * may hold "double quoted" parts, in which spaces are kept and \" and \\
 * stand for " and \. A word with an unquoted '=' is split into key and
 * value (keys[i], vals[i]); other words have vals[i] = NULL. Returns the
 * number of words, or -1 with *why set (unterminated quote, too many).
 */
int script_tokenize(const char *line, char *out, char **keys, char **vals, int max,
		    const char **why);

#endif

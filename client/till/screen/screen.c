/* SPDX-License-Identifier: Apache-2.0 */
/*
 * screen: FIRST CUT placeholder, replaced by the screen work.
 */
#include <stdio.h>

#include "screen.h"
#include "script.h"

int screen_run(TillSession *ts)
{
	(void)ts;
	fprintf(stderr, "kassa-till: the screen is not built yet; use --script\n");
	return TILL_EXIT_USAGE;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_offline: the script commands of the till's offline side (see
 * script_offline.c): "sync" (replay the journal, then the catalogue) and
 * "status" (online or not, what waits in the journal, what was set aside).
 */
#ifndef KASSA_TILL_SCRIPT_OFFLINE_H
#define KASSA_TILL_SCRIPT_OFFLINE_H

#include "script_cmds.h"

void cmd_sync(Till *t, const Cmd *c);
void cmd_status(Till *t, const Cmd *c);

#endif

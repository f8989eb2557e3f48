/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outbox.c: the outbox's sender on kassad's loop: claims due rows, delivers them (webhook, file), records attempts, backs off, dead-letters.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "crm.h"
#include "i18n.h"

void outbox_setup(void)
{
}

bool outbox_start(void)
{
	return true;
}

void outbox_shutdown(void)
{
}

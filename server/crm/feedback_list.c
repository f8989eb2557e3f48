/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feedback_list.c: FeedbackList, ratings and comments per member, store or cashier.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "crm.h"
#include "i18n.h"

void handle_feedback_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

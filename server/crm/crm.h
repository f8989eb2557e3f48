/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crm.h: customer relations, what kassad learns from and about customers
 * beyond the sale itself. Today: the customer's satisfaction rating of a
 * sale (Feedback, feedback.c), which head office reads later. Included
 * only by server/routes.c; crm uses the core and no other domain.
 */
#ifndef KASSA_CRM_H
#define KASSA_CRM_H

#include "core.h"

/* Register the statements; before db_setup(). */
void feedback_setup(void);
/* Feedback: record a sale's rating (1-5, optional comment) once; FeedbackRecorded. */
void handle_feedback(Call *c);

#endif

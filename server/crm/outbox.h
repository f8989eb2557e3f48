/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outbox.h: inside the sender: one Delivery is one claimed row on its way
 * (outbox.c claims and records it; sender_webhook.c or sender_file.c
 * delivers it and calls outbox_delivery_done() on the loop when it is
 * over, whatever the outcome).
 */
#ifndef KASSA_CRM_OUTBOX_H
#define KASSA_CRM_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "outbox_util.h"

#define OUTBOX_ERROR_MAX 160		/* a short error for the attempt's row */
#define OUTBOX_KEY_LEN 40		/* a delivery key (UUID) */

typedef struct Delivery {
	int64_t outbox_id;
	int attempts;			/* failures counted when it was claimed */
	char key[OUTBOX_KEY_LEN];	/* delivery_key: the Idempotency-Key */
	char endpoint[40];
	bool to_file;			/* endpoint kind 'file', else 'webhook' */
	char url[OUTBOX_URL_MAX + 1];
	char file[72];
	char *body;			/* owned: the JSON body */
	size_t body_len;
	char sig[OUTBOX_SIG_MAX];	/* "" when the endpoint has no secret */
	int64_t started_ms;		/* Unix ms the attempt started */
	/* the outcome, set by the sender */
	const char *result;		/* "accepted", "refused", "failed", "timeout" */
	int http_status;
	char error[OUTBOX_ERROR_MAX];
	bool dead_now;			/* cannot ever go (a render failure): dead at once */
	void *sender;			/* the sender's state (webhook: connection, timer) */
	bool abandoned;			/* shutdown: freed without recording */
	struct Delivery *next, *prev;	/* the in-flight list */
} Delivery;

/* The attempt of d is over (d->result set): record it and free d. On the loop. */
void outbox_delivery_done(Delivery *d);

/* The webhook sender: its TLS context and resolver (after the loop exists). */
bool webhook_setup(void);
void webhook_send(Delivery *d);
/* Shutdown: drop d's connection and timer (d is not finished). */
void webhook_abort(Delivery *d);
void webhook_shutdown(void);

/* The file sender: append d's line on a worker thread. */
void file_send(Delivery *d);

#endif

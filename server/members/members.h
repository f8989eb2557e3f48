/* SPDX-License-Identifier: Apache-2.0 */
/*
 * members.h: the member base as tills and head office see it: register,
 * get (by id, phone, card number or QR payload), search, update and the
 * purchase history (history.c). A
 * member's loyalty summary comes from loyalty/ (members uses loyalty;
 * loyalty never calls members).
 */
#ifndef KASSA_MEMBERS_H
#define KASSA_MEMBERS_H

#include "core.h"

/* Register the statements; before db_setup(). */
void member_setup(void);
void handle_member_register(Call *c);
void handle_member_get(Call *c);
void handle_member_search(Call *c);
void handle_member_update(Call *c);
/* A member's purchases across stores, paged newest first (history.c). */
void member_history_setup(void);
void handle_member_history(Call *c);
/* Head office's member 360: ledgers, refunds, feedback (profile.c). */
void member_profile_setup(void);
void handle_member_360(Call *c);
/* Search the whole base by filter, keyset-paged (find.c). */
void member_find_setup(void);
void handle_member_find(Call *c);
/* Saved, versioned segments (segment.c). */
void segment_setup(void);
void handle_segment_save(Call *c);
void handle_segment_get(Call *c);
void handle_segment_list(Call *c);

#endif

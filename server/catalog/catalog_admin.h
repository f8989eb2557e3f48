/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog_admin: the catalogue's administration through the protocol
 * (store operations, docs/store/catalog.md): ProductPut, ProductList,
 * CategoryPut, CategoryList here; price lists in price_list.h, the gift
 * catalogue in gift_admin.h. Handlers are included only by server/routes.c;
 * the helpers below serve this folder's three files.
 */
#ifndef KASSA_CATALOG_ADMIN_H
#define KASSA_CATALOG_ADMIN_H

#include "core.h"
#include "sqltext.h"

/* Register catalog_admin.c's statements and setup; before db_setup(). */
void catalog_admin_setup(void);
/* ProductPut */
void handle_product_put(Call *c);
/* ProductList */
void handle_product_list(Call *c);
/* CategoryPut */
void handle_category_put(Call *c);
/* CategoryList */
void handle_category_list(Call *c);

/* The parameters every catalogue write starts with. */
typedef struct CatalogParams {
	char till[24];			/* the session's till */
	char staff[24];			/* the staff member logged in (0: none) */
	SqlText hash;			/* owned: bytea literal of the request body's hash */
} CatalogParams;

/* Fill p for c and its request body. Free with catalog_params_free(). */
void catalog_params_init(CatalogParams *p, const Call *c, const ProtobufCMessage *body);
void catalog_params_free(CatalogParams *p);

/* Is s 1 to max characters (UTF-8, checked on arrival), not blank, without control characters? */
bool catalog_text_ok(const char *s, size_t max);

/* Is s a code: 1 to max bytes of letters, digits and - _ . / (SKUs, category codes)? */
bool catalog_code_ok(const char *s, size_t max);

#endif

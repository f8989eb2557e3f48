/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog_admin.c: placeholder of part "catalog" of store operations.
 */
#include "catalog_admin.h"

void catalog_admin_setup(void)
{
}

void handle_product_put(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "ProductPut is being written");
}

void handle_product_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "ProductList is being written");
}

void handle_category_put(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "CategoryPut is being written");
}

void handle_category_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "CategoryList is being written");
}

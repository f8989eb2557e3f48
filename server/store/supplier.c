/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supplier.c: placeholder of part "supply" of store operations.
 */
#include "supplier.h"

void supplier_setup(void)
{
}

void handle_supplier_put(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "SupplierPut is being written");
}

void handle_supplier_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "SupplierList is being written");
}

void handle_supplier_product_put(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "SupplierProductPut is being written");
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transfer.c: placeholder of part "counts" of store operations.
 */
#include "transfer.h"

void transfer_setup(void)
{
}

void handle_transfer_send(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "TransferSend is being written");
}

void handle_transfer_receive(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "TransferReceive is being written");
}

void handle_transfer_get(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "TransferGet is being written");
}

void handle_transfer_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "TransferList is being written");
}

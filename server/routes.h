/* SPDX-License-Identifier: Apache-2.0 */
/* routes.h: install kassad's route table (routes.c) into the core's dispatch. */
#ifndef KASSA_ROUTES_H
#define KASSA_ROUTES_H

/* Give dispatch.c the table; before the loop runs. */
void routes_setup(void);

#endif

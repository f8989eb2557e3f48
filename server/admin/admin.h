/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin.h: the operators' requests (office admin role, office certificates
 * only): the console's SHOW and RELOAD (console.c) and the audit log's
 * verification (audit.c).
 */
#ifndef KASSA_ADMIN_H
#define KASSA_ADMIN_H

#include "core.h"

#endif

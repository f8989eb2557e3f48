/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_audit: the AuditVerify request wrapper (an administrator's, from an
 * office certificate): kassad walks the audit log's hash chain and answers
 * AuditVerified (ok, rows checked, and when not ok the first bad row's id
 * and the machine word "edited", "inserted" or "deleted"). One kc_call()
 * (kc_transport.h); *resp as for kc_call(). A long log takes longer than
 * the default response timeout: give the connection a longer io_timeout_ms.
 */
#ifndef KASSA_KC_AUDIT_H
#define KASSA_KC_AUDIT_H

#include "kc_transport.h"

KcResult kc_audit_verify(KassaClient *kc, Kassa__V1__Response **resp);

#endif

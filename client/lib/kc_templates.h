/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_templates.h: message templates (care/messages): store a new version
 * of a template (MessageTemplatePut -> MessageTemplate; an exactly-once
 * change: key) and list the newest version of each
 * (MessageTemplateList -> ReportTable "message_templates"). One kc_call()
 * each (kc_transport.h); *resp as for kc_call(); strings are borrowed for
 * the call. The server checks the values (docs/care/messages.md).
 */
#ifndef KASSA_KC_TEMPLATES_H
#define KASSA_KC_TEMPLATES_H

#include "kassa_client.h"

/*
 * Put subject (NULL = "") and body as the next version of template name
 * in language ("zh_CN" or "en"); key NULL = a fresh one.
 */
KcResult kc_template_put(KassaClient *kc, const char *name, const char *language,
			 const char *subject, const char *body, const char *key,
			 Kassa__V1__Response **resp);
/* The newest version of every template, by name and language. */
KcResult kc_template_list(KassaClient *kc, Kassa__V1__Response **resp);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loyalty_config.c: what the configuration handlers share (see loyalty_config.h): the
 * statements of each part registered in one place, the request hash that
 * makes a retried change a replay, and the text checks their fields need.
 */
#include "loyalty_config.h"

#include "date.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void loyalty_config_setup(void)
{
	loyalty_config_rules_setup();
	loyalty_config_coupons_setup();
	loyalty_config_tier_setup();
}

void loyalty_config_params_init(LoyaltyConfigParams *p, const Call *c, const ProtobufCMessage *body)
{
	p->hash = (SqlText)SQLTEXT_INIT;
	sqltext_hash(&p->hash, body);
	snprintf(p->till, sizeof(p->till), "%lld", (long long)c->sess->till_id);
	snprintf(p->staff, sizeof(p->staff), "%lld", (long long)c->staff_id);
}

void loyalty_config_params_free(LoyaltyConfigParams *p)
{
	sqltext_free(&p->hash);
}

size_t loyalty_config_text_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;	/* every byte but a continuation byte starts a character */
	return n;
}

bool loyalty_config_has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

bool loyalty_config_date_is_valid(const char *s)
{
	return s[0] == '\0' || date_parse(s, NULL, NULL, NULL);
}

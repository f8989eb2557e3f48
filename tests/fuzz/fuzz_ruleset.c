/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_ruleset: the loyalty rule-set document an admin sends in RuleSetPut
 * (config_json), as server/loyalty/loyalty_config_rules.c checks it:
 * ruleset_parse() on the text (NUL-terminated, as protobuf-c gives it).
 * Beyond "no memory errors": a refused document comes with a message; an
 * accepted one holds what RuleSet promises (1..RULESET_MAX_TIERS tiers,
 * NUL-terminated names, thresholds ascending from 0, campaign and top-up
 * counts within their arrays, top-up minimums ascending), and parsing it
 * again gives the same RuleSet (the parser keeps no state).
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "ruleset.h"

#define FUZZ_RULESET_MAX (64 * 1024)	/* loyalty_config_rules.c refuses more anyway */

static void check_accepted(const RuleSet *rs)
{
	FUZZ_CHECK(rs->n_tiers >= 1 && rs->n_tiers <= RULESET_MAX_TIERS);
	FUZZ_CHECK(rs->tiers[0].threshold == 0);
	for (int i = 0; i < rs->n_tiers; i++) {
		FUZZ_CHECK(memchr(rs->tiers[i].name, '\0', sizeof(rs->tiers[i].name)) != NULL);
		if (i > 0)
			FUZZ_CHECK(rs->tiers[i].threshold > rs->tiers[i - 1].threshold);
	}
	FUZZ_CHECK(rs->n_campaigns >= 0 && rs->n_campaigns <= RULESET_MAX_CAMPAIGNS);
	FUZZ_CHECK(rs->n_topup >= 0 && rs->n_topup <= RULESET_MAX_TOPUP);
	for (int i = 1; i < rs->n_topup; i++)
		FUZZ_CHECK(rs->topup[i].min_minor > rs->topup[i - 1].min_minor);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static RuleSet rs, again;
	char err[256];
	char *text;
	bool ok;

	if (size > FUZZ_RULESET_MAX)
		return 0;
	text = malloc(size + 1);
	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&rs, 0, sizeof(rs));
	err[0] = '\0';
	ok = ruleset_parse(text, 7, &rs, err, sizeof(err));
	if (!ok) {
		FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
	} else {
		check_accepted(&rs);
		memset(&again, 0, sizeof(again));
		FUZZ_CHECK(ruleset_parse(text, 7, &again, err, sizeof(err)));
		FUZZ_CHECK(memcmp(&rs, &again, sizeof(rs)) == 0);
	}
	free(text);
	return 0;
}

-- Kassa schema, version 19: campaigns (server/crm/campaign.c,
-- functions/campaigns.sql). A campaign targets the members of one version
-- of a saved segment, holds a seeded share of them out as a control group
-- (server/crm/holdout.c decides who, from the stored seed), gives the
-- target a coupon and/or queues them a message, and is measured over
-- [starts_on, ends_on] (business days): target against holdout.
--
-- seed is the uint64 the split was drawn with (numeric: bigint cannot hold
-- every uint64). The counters are kept by the launch as it goes.
CREATE TABLE campaigns (
	campaign_id		bigserial PRIMARY KEY,
	name			text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100
					AND name !~ '[[:cntrl:]]'),
	segment			text NOT NULL,
	segment_version		integer NOT NULL,
	holdout_bp		integer NOT NULL CHECK (holdout_bp BETWEEN 0 AND 5000),
	seed			numeric(20, 0) NOT NULL
				CHECK (seed >= 1 AND seed <= 18446744073709551615),
	coupon_def_id		bigint REFERENCES coupon_defs,
	template		text CHECK (template ~ '^[a-z0-9_-]{1,64}$'),
	starts_on		date NOT NULL,
	ends_on			date NOT NULL,
	state			text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'launched')),
	target_members		bigint NOT NULL DEFAULT 0 CHECK (target_members >= 0),
	holdout_members		bigint NOT NULL DEFAULT 0 CHECK (holdout_members >= 0),
	coupons_issued		bigint NOT NULL DEFAULT 0 CHECK (coupons_issued >= 0),
	messages_queued		bigint NOT NULL DEFAULT 0 CHECK (messages_queued >= 0),
	excluded_no_consent	bigint NOT NULL DEFAULT 0 CHECK (excluded_no_consent >= 0),
	created_by		bigint NOT NULL REFERENCES staff,
	created_at		timestamptz NOT NULL DEFAULT now(),
	launched_at		timestamptz,
	FOREIGN KEY (segment, segment_version) REFERENCES segments (name, version),
	CHECK (ends_on >= starts_on),
	CHECK (coupon_def_id IS NOT NULL OR template IS NOT NULL),
	CHECK ((state = 'launched') = (launched_at IS NOT NULL))
);

-- Who was in a campaign and in which group; what the target got. The
-- holdout never holds a coupon or a message of the campaign: the CHECK
-- says so for every row.
CREATE TABLE campaign_members (
	member_id	bigint NOT NULL REFERENCES members,
	campaign_id	bigint NOT NULL REFERENCES campaigns,
	grp		text NOT NULL CHECK (grp IN ('target', 'holdout')),
	coupon_id	bigint,			-- coupons (member_id, coupon_id)
	outbox_id	bigint,			-- outbox; NULL: not queued (no consent, no channel)
	added_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (member_id, campaign_id),
	CHECK (grp = 'target' OR (coupon_id IS NULL AND outbox_id IS NULL))
);
CREATE INDEX campaign_members_campaign ON campaign_members (campaign_id, member_id);

-- Kassa schema, version 15: what customer care's parts share. Each member's
-- language; the endpoints messages and feed events go to; message
-- templates; the outbox and its delivery attempts; and the kinds of the
-- idempotency records and job runs customer care adds. The parts' own
-- tables are in 0016 (complaints) .. 0022 (the event feed).
--
-- The outbox. A row is written in the transaction that decides to send
-- (the birthday job's, a campaign's launch, the feed job's fan-out), so a
-- message exists exactly when its decision committed. kassad's sender
-- (server/crm/outbox.c) claims due rows with FOR UPDATE SKIP LOCKED,
-- delivers them, and records each attempt in outbox_attempts; a row is
-- 'sent' only after the endpoint accepted it, 'dead' after [outbox]
-- max_attempts failures, 'cancelled' when it must not go any more (the
-- member withdrew consent or was erased). delivery_key is sent as the
-- Idempotency-Key header: a receiver that saw it already drops the copy
-- a retry after a lost answer brings.

ALTER TABLE members
	ADD COLUMN language text NOT NULL DEFAULT 'zh_CN' CHECK (language IN ('zh_CN', 'en'));

-- Where the outbox delivers. channels: the Channel numbers (1 SMS, 2 e-mail,
-- 3 WeChat) whose messages this endpoint takes (an SMS or WeChat gateway is
-- a webhook endpoint); events: feed event type patterns ('member.*', '*').
CREATE TABLE endpoints (
	name		text PRIMARY KEY CHECK (name ~ '^[a-z0-9_-]{1,32}$'),
	kind		text NOT NULL CHECK (kind IN ('webhook', 'file')),
	url		text NOT NULL DEFAULT '' CHECK (char_length(url) <= 500),
	file		text NOT NULL DEFAULT '' CHECK (file ~ '^([A-Za-z0-9._-]{1,64})?$'
					AND file NOT IN ('.', '..')),
	secret		bytea,			-- the HMAC-SHA256 key; NULL: unsigned
	channels	smallint[] NOT NULL DEFAULT '{}',
	events		text[] NOT NULL DEFAULT '{}',
	active		boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	CHECK ((kind = 'webhook') = (url <> '')),
	CHECK ((kind = 'file') = (file <> ''))
);

-- Message templates, per name and language; a Put adds a version.
CREATE TABLE message_templates (
	name		text NOT NULL CHECK (name ~ '^[a-z0-9_-]{1,64}$'),
	language	text NOT NULL CHECK (language IN ('zh_CN', 'en')),
	version		integer NOT NULL CHECK (version > 0),
	subject		text NOT NULL DEFAULT '' CHECK (char_length(subject) <= 200),
	body		text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 2000),
	created_by	bigint,			-- staff; NULL: the migration's defaults
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (name, language, version)
);

CREATE TABLE outbox (
	outbox_id	bigserial PRIMARY KEY,
	endpoint	text NOT NULL REFERENCES endpoints,
	kind		text NOT NULL CHECK (kind IN ('message', 'event')),
	delivery_key	uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
	member_id	bigint REFERENCES members,
	-- kind 'message': to whom over which channel, what for (a 'marketing'
	-- message needs the member's consent, checked again at delivery), and
	-- the template it is rendered from at delivery with vars
	channel		smallint CHECK (channel BETWEEN 1 AND 3),
	purpose		text CHECK (purpose IN ('service', 'marketing')),
	template	text,
	language	text,
	vars		jsonb NOT NULL DEFAULT '{}',
	campaign_id	bigint,			-- campaigns (0019), if a campaign's
	-- kind 'event': the feed's sequence number (events.seq, 0022)
	event_seq	bigint,
	state		text NOT NULL DEFAULT 'pending'
			CHECK (state IN ('pending', 'sending', 'sent', 'dead', 'cancelled')),
	attempts	integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at	timestamptz NOT NULL DEFAULT now(),
	lease_until	timestamptz,		-- state 'sending': claimed until then
	last_error	text NOT NULL DEFAULT '',
	created_at	timestamptz NOT NULL DEFAULT now(),
	sent_at		timestamptz,
	CHECK ((kind = 'message') = (template IS NOT NULL AND channel IS NOT NULL
				     AND purpose IS NOT NULL AND member_id IS NOT NULL)),
	CHECK ((kind = 'event') = (event_seq IS NOT NULL)),
	CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
CREATE UNIQUE INDEX outbox_endpoint_event ON outbox (endpoint, event_seq)
	WHERE event_seq IS NOT NULL;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_member ON outbox (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX outbox_campaign ON outbox (campaign_id) WHERE campaign_id IS NOT NULL;

-- Every delivery attempt: the retry log.
CREATE TABLE outbox_attempts (
	outbox_id	bigint NOT NULL REFERENCES outbox,
	attempt		integer NOT NULL CHECK (attempt > 0),
	started_at	timestamptz NOT NULL,
	finished_at	timestamptz NOT NULL DEFAULT now(),
	result		text NOT NULL CHECK (result IN ('accepted', 'refused', 'failed', 'timeout')),
	http_status	integer NOT NULL DEFAULT 0,
	error		text NOT NULL DEFAULT '' CHECK (char_length(error) <= 300),
	PRIMARY KEY (outbox_id, attempt)
);

ALTER TABLE idempotency DROP CONSTRAINT idempotency_kind_check;
ALTER TABLE idempotency ADD CONSTRAINT idempotency_kind_check CHECK (kind IN (
	'checkout', 'member_register', 'refund', 'topup', 'rules', 'coupon_define',
	'coupon_issue', 'tier_set', 'points_expire', 'tier_reevaluate', 'staff_unlock',
	'rates_set', 'feedback', 'shift_open', 'shift_close', 'segment_save', 'export',
	'analytics_run', 'member_erase',
	'complaint_open', 'complaint_update', 'followup_rules', 'followup_record',
	'template_put', 'endpoint_put', 'outbox_retry', 'campaign_create', 'campaign_launch',
	'member_merge', 'member_import', 'points_adjust', 'coupon_def_change', 'job_run'));

ALTER TABLE job_runs DROP CONSTRAINT job_runs_kind_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_kind_check
	CHECK (kind IN ('points_expire', 'tier_reevaluate', 'birthday_coupons', 'analytics_run',
			'followups', 'recommendations', 'feed'));

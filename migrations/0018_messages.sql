-- Kassa schema, version 18: messages to members (care/messages,
-- docs/care/messages.md). The tables are 0015's (members.language,
-- message_templates, outbox); this adds what messages keep besides:
--
--  - message_templates.template_id: one number per stored version, the
--    result a MessageTemplatePut's idempotency key remembers;
--  - outbox.template_version: the version a message was queued with
--    (kassa_outbox_message(): the newest then), so that what was sent can
--    be told later; NULL on 'event' rows and rows queued before 0018;
--  - members.consent_changed_at: when marketing_consent was last set
--    (registration or a MemberUpdate that changed it), the date an opt-out
--    was honoured from; NULL for members registered before 0018;
--  - the default 'birthday' templates in Chinese and English, which the
--    birthday coupon job sends with the coupon (functions/jobs.sql).

ALTER TABLE message_templates ADD COLUMN template_id bigserial UNIQUE;

ALTER TABLE outbox ADD COLUMN template_version integer CHECK (template_version > 0);

ALTER TABLE members ADD COLUMN consent_changed_at timestamptz;

INSERT INTO message_templates (name, language, version, subject, body) VALUES
	('birthday', 'zh_CN', 1, '生日快乐',
	 '{name}，祝您生日快乐！送您一张{coupon_value}的生日优惠券，券码 {coupon}，'
	 '{valid_to}前有效，欢迎光临。'),
	('birthday', 'en', 1, 'Happy birthday',
	 'Happy birthday, {name}! Here is a birthday coupon worth {coupon_value}: '
	 'code {coupon}, valid until {valid_to}. We look forward to seeing you.');

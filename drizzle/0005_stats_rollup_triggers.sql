-- Rollups (stats_buckets, stats_bucket_reps) are a cache. Any change to a lead or a decision
-- unlists the UTC day (YYYYMMDD) and month (YYYYMM) of the lead's post from stats_fresh, and drops
-- any claim on them in stats_building, in the same transaction: a stale rollup is never read nor
-- published, whichever process or code path made the change. An update that rewrites a value
-- unchanged is not a change; a lead or decision that moves to another post time unlists both.
CREATE TRIGGER `stats_stale_on_lead_insert` AFTER INSERT ON `leads` WHEN NEW.`posted_at` IS NOT NULL
BEGIN
  DELETE FROM `stats_fresh` WHERE `bucket` IN (CAST(strftime('%Y%m%d', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER));
  DELETE FROM `stats_building` WHERE `bucket` IN (CAST(strftime('%Y%m%d', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER));
END;
--> statement-breakpoint
CREATE TRIGGER `stats_stale_on_lead_update`
AFTER UPDATE OF `campaign_id`, `source`, `state`, `state_reason`, `first_decided_at` ON `leads`
WHEN NEW.`posted_at` IS NOT NULL AND OLD.`posted_at` IS NEW.`posted_at` AND (
  OLD.`campaign_id` IS NOT NEW.`campaign_id` OR OLD.`source` IS NOT NEW.`source`
  OR OLD.`state` IS NOT NEW.`state` OR OLD.`state_reason` IS NOT NEW.`state_reason`
  OR OLD.`first_decided_at` IS NOT NEW.`first_decided_at`)
BEGIN
  DELETE FROM `stats_fresh` WHERE `bucket` IN (CAST(strftime('%Y%m%d', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER));
  DELETE FROM `stats_building` WHERE `bucket` IN (CAST(strftime('%Y%m%d', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER));
END;
--> statement-breakpoint
CREATE TRIGGER `stats_stale_on_lead_repost` AFTER UPDATE OF `posted_at` ON `leads`
WHEN OLD.`posted_at` IS NOT NEW.`posted_at`
BEGIN
  DELETE FROM `stats_fresh` WHERE `bucket` IN (CAST(strftime('%Y%m%d', OLD.`posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', OLD.`posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m%d', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER));
  DELETE FROM `stats_building` WHERE `bucket` IN (CAST(strftime('%Y%m%d', OLD.`posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', OLD.`posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m%d', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER));
END;
--> statement-breakpoint
CREATE TRIGGER `stats_stale_on_lead_delete` AFTER DELETE ON `leads` WHEN OLD.`posted_at` IS NOT NULL
BEGIN
  DELETE FROM `stats_fresh` WHERE `bucket` IN (CAST(strftime('%Y%m%d', OLD.`posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', OLD.`posted_at` / 1000, 'unixepoch') AS INTEGER));
  DELETE FROM `stats_building` WHERE `bucket` IN (CAST(strftime('%Y%m%d', OLD.`posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', OLD.`posted_at` / 1000, 'unixepoch') AS INTEGER));
END;
--> statement-breakpoint
-- Decisions carry a copy of their lead's post time (decisions.lead_posted_at, see schema.ts), so
-- the rollup keys of a decision are read from the decision itself. The app writes the copy with
-- the decision; these triggers set it when a writer did not, and follow the lead's post time.
UPDATE `decisions` SET `lead_posted_at` = (SELECT `posted_at` FROM `leads` WHERE `leads`.`id` = `decisions`.`lead_id`);
--> statement-breakpoint
CREATE TRIGGER `decisions_lead_posted_at_on_insert` AFTER INSERT ON `decisions`
WHEN NEW.`lead_posted_at` IS NOT (SELECT `posted_at` FROM `leads` WHERE `id` = NEW.`lead_id`)
BEGIN
  UPDATE `decisions` SET `lead_posted_at` = (SELECT `posted_at` FROM `leads` WHERE `id` = NEW.`lead_id`)
  WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `decisions_lead_posted_at_on_lead_update` AFTER UPDATE OF `posted_at` ON `leads`
WHEN NEW.`posted_at` IS NOT OLD.`posted_at`
BEGIN
  UPDATE `decisions` SET `lead_posted_at` = NEW.`posted_at` WHERE `lead_id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `decisions_lead_posted_at_on_move` AFTER UPDATE OF `lead_id` ON `decisions`
WHEN NEW.`lead_id` IS NOT OLD.`lead_id`
BEGIN
  UPDATE `decisions` SET `lead_posted_at` = (SELECT `posted_at` FROM `leads` WHERE `id` = NEW.`lead_id`)
  WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
-- A decision's own change (made, retracted, given a reason) unlists its lead's buckets.
CREATE TRIGGER `stats_stale_on_decision_insert` AFTER INSERT ON `decisions` WHEN NEW.`lead_posted_at` IS NOT NULL
BEGIN
  DELETE FROM `stats_fresh` WHERE `bucket` IN (CAST(strftime('%Y%m%d', NEW.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', NEW.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER));
  DELETE FROM `stats_building` WHERE `bucket` IN (CAST(strftime('%Y%m%d', NEW.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', NEW.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER));
END;
--> statement-breakpoint
CREATE TRIGGER `stats_stale_on_decision_update`
AFTER UPDATE OF `verdict`, `reason`, `decided_at`, `retracted_at`, `user_id` ON `decisions`
WHEN NEW.`lead_posted_at` IS NOT NULL AND OLD.`lead_posted_at` IS NEW.`lead_posted_at` AND (
  OLD.`verdict` IS NOT NEW.`verdict` OR OLD.`reason` IS NOT NEW.`reason`
  OR OLD.`decided_at` IS NOT NEW.`decided_at` OR OLD.`retracted_at` IS NOT NEW.`retracted_at`
  OR OLD.`user_id` IS NOT NEW.`user_id`)
BEGIN
  DELETE FROM `stats_fresh` WHERE `bucket` IN (CAST(strftime('%Y%m%d', NEW.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', NEW.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER));
  DELETE FROM `stats_building` WHERE `bucket` IN (CAST(strftime('%Y%m%d', NEW.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', NEW.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER));
END;
--> statement-breakpoint
CREATE TRIGGER `stats_stale_on_decision_move` AFTER UPDATE OF `lead_posted_at` ON `decisions`
WHEN OLD.`lead_posted_at` IS NOT NEW.`lead_posted_at`
BEGIN
  DELETE FROM `stats_fresh` WHERE `bucket` IN (CAST(strftime('%Y%m%d', OLD.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', OLD.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m%d', NEW.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', NEW.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER));
  DELETE FROM `stats_building` WHERE `bucket` IN (CAST(strftime('%Y%m%d', OLD.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', OLD.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m%d', NEW.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', NEW.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER));
END;
--> statement-breakpoint
CREATE TRIGGER `stats_stale_on_decision_delete` AFTER DELETE ON `decisions` WHEN OLD.`lead_posted_at` IS NOT NULL
BEGIN
  DELETE FROM `stats_fresh` WHERE `bucket` IN (CAST(strftime('%Y%m%d', OLD.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', OLD.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER));
  DELETE FROM `stats_building` WHERE `bucket` IN (CAST(strftime('%Y%m%d', OLD.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', OLD.`lead_posted_at` / 1000, 'unixepoch') AS INTEGER));
END;

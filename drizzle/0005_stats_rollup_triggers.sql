-- Rollups (stats_buckets, stats_bucket_reps) are a cache. Any change to a lead or a decision
-- unlists the UTC day (YYYYMMDD) and month (YYYYMM) of the lead's post from stats_fresh, and drops
-- any claim on them in stats_building, in the same transaction: a stale rollup is never read nor
-- published, whichever process or code path made the change.
CREATE TRIGGER `stats_stale_on_lead_insert` AFTER INSERT ON `leads` WHEN NEW.`posted_at` IS NOT NULL
BEGIN
  DELETE FROM `stats_fresh` WHERE `bucket` IN (CAST(strftime('%Y%m%d', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER));
  DELETE FROM `stats_building` WHERE `bucket` IN (CAST(strftime('%Y%m%d', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER), CAST(strftime('%Y%m', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER));
END;
--> statement-breakpoint
CREATE TRIGGER `stats_stale_on_lead_update`
AFTER UPDATE OF `posted_at`, `campaign_id`, `source`, `state`, `state_reason`, `first_decided_at` ON `leads`
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
AFTER UPDATE OF `verdict`, `reason`, `decided_at`, `retracted_at`, `user_id`, `lead_posted_at` ON `decisions`
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

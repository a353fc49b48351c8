-- Month rollups (stats_months, stats_month_reps) are a cache. Any change to a lead or a decision
-- unlists the UTC month of the lead's post from stats_months_fresh in the same transaction, so a
-- stale rollup is never read, whichever process or code path made the change.
CREATE TRIGGER `stats_stale_on_lead_insert` AFTER INSERT ON `leads` WHEN NEW.`posted_at` IS NOT NULL
BEGIN
  DELETE FROM `stats_months_fresh`
  WHERE `month` = CAST(strftime('%Y%m', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER);
END;
--> statement-breakpoint
CREATE TRIGGER `stats_stale_on_lead_update`
AFTER UPDATE OF `posted_at`, `campaign_id`, `source`, `state`, `state_reason`, `first_decided_at` ON `leads`
BEGIN
  DELETE FROM `stats_months_fresh`
  WHERE `month` IN (
    CAST(strftime('%Y%m', OLD.`posted_at` / 1000, 'unixepoch') AS INTEGER),
    CAST(strftime('%Y%m', NEW.`posted_at` / 1000, 'unixepoch') AS INTEGER)
  );
END;
--> statement-breakpoint
CREATE TRIGGER `stats_stale_on_lead_delete` AFTER DELETE ON `leads` WHEN OLD.`posted_at` IS NOT NULL
BEGIN
  DELETE FROM `stats_months_fresh`
  WHERE `month` = CAST(strftime('%Y%m', OLD.`posted_at` / 1000, 'unixepoch') AS INTEGER);
END;
--> statement-breakpoint
CREATE TRIGGER `stats_stale_on_decision_insert` AFTER INSERT ON `decisions`
BEGIN
  DELETE FROM `stats_months_fresh`
  WHERE `month` = (
    SELECT CAST(strftime('%Y%m', `posted_at` / 1000, 'unixepoch') AS INTEGER) FROM `leads` WHERE `id` = NEW.`lead_id`
  );
END;
--> statement-breakpoint
CREATE TRIGGER `stats_stale_on_decision_update` AFTER UPDATE ON `decisions`
BEGIN
  DELETE FROM `stats_months_fresh`
  WHERE `month` IN (
    SELECT CAST(strftime('%Y%m', `posted_at` / 1000, 'unixepoch') AS INTEGER) FROM `leads`
    WHERE `id` IN (OLD.`lead_id`, NEW.`lead_id`)
  );
END;
--> statement-breakpoint
CREATE TRIGGER `stats_stale_on_decision_delete` AFTER DELETE ON `decisions`
BEGIN
  DELETE FROM `stats_months_fresh`
  WHERE `month` = (
    SELECT CAST(strftime('%Y%m', `posted_at` / 1000, 'unixepoch') AS INTEGER) FROM `leads` WHERE `id` = OLD.`lead_id`
  );
END;

-- decisions.lead_posted_at is a copy of the lead's posted_at (see schema.ts): filled in for the
-- decisions already stored, then kept equal by triggers whoever writes.
UPDATE `decisions` SET `lead_posted_at` = (SELECT `posted_at` FROM `leads` WHERE `leads`.`id` = `decisions`.`lead_id`);
--> statement-breakpoint
CREATE TRIGGER `decisions_lead_posted_at_on_insert` AFTER INSERT ON `decisions`
BEGIN
  UPDATE `decisions` SET `lead_posted_at` = (SELECT `posted_at` FROM `leads` WHERE `id` = NEW.`lead_id`)
  WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `decisions_lead_posted_at_on_lead_update` AFTER UPDATE OF `posted_at` ON `leads`
BEGIN
  UPDATE `decisions` SET `lead_posted_at` = NEW.`posted_at` WHERE `lead_id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `decisions_lead_posted_at_on_move` AFTER UPDATE OF `lead_id` ON `decisions`
BEGIN
  UPDATE `decisions` SET `lead_posted_at` = (SELECT `posted_at` FROM `leads` WHERE `id` = NEW.`lead_id`)
  WHERE `id` = NEW.`id`;
END;

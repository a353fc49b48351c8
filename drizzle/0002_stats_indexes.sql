DROP INDEX `leads_posted_at_idx`;--> statement-breakpoint
CREATE INDEX `leads_cohort_idx` ON `leads` (`posted_at`,`campaign_id`,`state`,`first_decided_at`,`state_reason`,`source`);--> statement-breakpoint
CREATE INDEX `leads_pending_idx` ON `leads` (`posted_at`) WHERE state = 'pending';
CREATE TABLE `stats_bucket_reps` (
	`bucket` integer NOT NULL,
	`user_id` text NOT NULL,
	`accepted` integer NOT NULL,
	`rejected` integer NOT NULL,
	`times` blob NOT NULL,
	PRIMARY KEY(`bucket`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `stats_buckets` (
	`bucket` integer NOT NULL,
	`campaign_id` integer NOT NULL,
	`source` text,
	`posted` integer NOT NULL,
	`accepted` integer NOT NULL,
	`rejected` integer NOT NULL,
	`rejected_no_reason` integer NOT NULL,
	`pending` integer NOT NULL,
	`times` blob NOT NULL,
	`reasons` text NOT NULL,
	`pending_posted` blob NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stats_buckets_bucket_idx` ON `stats_buckets` (`bucket`,`campaign_id`);--> statement-breakpoint
CREATE TABLE `stats_building` (
	`bucket` integer PRIMARY KEY NOT NULL,
	`claimed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `stats_fresh` (
	`bucket` integer PRIMARY KEY NOT NULL,
	`built_at` integer NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `decisions` ADD `lead_posted_at` integer;--> statement-breakpoint
CREATE INDEX `decisions_cohort_idx` ON `decisions` (`lead_posted_at`,`lead_id`,`user_id`,`verdict`,`decided_at`,`id`) WHERE retracted_at IS NULL;
CREATE TABLE `stats_month_reps` (
	`month` integer NOT NULL,
	`user_id` text NOT NULL,
	`accepted` integer NOT NULL,
	`rejected` integer NOT NULL,
	`times` blob NOT NULL,
	PRIMARY KEY(`month`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `stats_months` (
	`month` integer NOT NULL,
	`campaign_id` integer NOT NULL,
	`source` text,
	`posted` integer NOT NULL,
	`accepted` integer NOT NULL,
	`rejected` integer NOT NULL,
	`rejected_no_reason` integer NOT NULL,
	`pending` integer NOT NULL,
	`times` blob NOT NULL,
	`reasons` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stats_months_month_idx` ON `stats_months` (`month`,`campaign_id`);--> statement-breakpoint
CREATE TABLE `stats_months_fresh` (
	`month` integer PRIMARY KEY NOT NULL,
	`built_at` integer NOT NULL
);

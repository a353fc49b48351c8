CREATE TABLE `campaigns` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `campaigns_key_unique` ON `campaigns` (`key`);--> statement-breakpoint
CREATE TABLE `leads` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`external_id` text,
	`email` text,
	`name` text,
	`company` text,
	`title` text,
	`phone` text,
	`country` text,
	`campaign_id` integer NOT NULL,
	`source` text,
	`score` integer,
	`url` text,
	`notes` text,
	`created_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`post_status` text DEFAULT 'queued' NOT NULL,
	`post_attempts` integer DEFAULT 0 NOT NULL,
	`post_next_at` integer,
	`post_started_at` integer,
	`post_error` text,
	`post_channel` text,
	`post_ts` text,
	`posted_at` integer,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `leads_external_id_unique` ON `leads` (`external_id`);--> statement-breakpoint
CREATE INDEX `leads_post_queue_idx` ON `leads` (`post_next_at`,`id`) WHERE post_next_at IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `leads_post_message_unique` ON `leads` (`post_channel`,`post_ts`);--> statement-breakpoint
CREATE INDEX `leads_posted_at_idx` ON `leads` (`posted_at`);--> statement-breakpoint
CREATE INDEX `leads_campaign_posted_at_idx` ON `leads` (`campaign_id`,`posted_at`);
CREATE TABLE `needs_attention` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`received_at` integer NOT NULL,
	`profile` text NOT NULL,
	`profile_param` text,
	`campaign_param` text,
	`raw` text NOT NULL,
	`item_index` integer DEFAULT 0 NOT NULL,
	`item_count` integer DEFAULT 1 NOT NULL,
	`who` text,
	`reason` text NOT NULL,
	`issues` text NOT NULL,
	`state` text DEFAULT 'open' NOT NULL,
	`lead_id` integer,
	`resolved_at` integer,
	`retry_count` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `needs_attention_open_idx` ON `needs_attention` (`id`) WHERE state = 'open';
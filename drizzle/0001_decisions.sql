CREATE TABLE `decisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`lead_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`verdict` text NOT NULL,
	`source` text NOT NULL,
	`reaction` text,
	`reason` text,
	`note` text,
	`decided_at` integer NOT NULL,
	`retracted_at` integer,
	FOREIGN KEY (`lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `decisions_lead_idx` ON `decisions` (`lead_id`,`decided_at`);--> statement-breakpoint
CREATE INDEX `decisions_user_idx` ON `decisions` (`user_id`,`decided_at`);--> statement-breakpoint
CREATE TABLE `slack_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `slack_events_received_at_idx` ON `slack_events` (`received_at`);--> statement-breakpoint
CREATE TABLE `user_notices` (
	`lead_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`lead_id`, `user_id`, `kind`),
	FOREIGN KEY (`lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `leads` ADD `state` text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE `leads` ADD `state_by` text;--> statement-breakpoint
ALTER TABLE `leads` ADD `state_at` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `state_reason` text;--> statement-breakpoint
ALTER TABLE `leads` ADD `first_decided_at` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `post_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `leads` ADD `post_rendered_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `leads_post_render_idx` ON `leads` (`id`) WHERE post_version > post_rendered_version;
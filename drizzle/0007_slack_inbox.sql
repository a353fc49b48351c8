CREATE TABLE `slack_inbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`received_at` integer NOT NULL,
	`body` text NOT NULL,
	`state` text DEFAULT 'received' NOT NULL,
	`next_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `slack_inbox_next_at_idx` ON `slack_inbox` (`next_at`);
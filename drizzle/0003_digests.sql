CREATE TABLE `app_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `digest_sends` (
	`week` text NOT NULL,
	`channel` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`started_at` integer NOT NULL,
	`sent_at` integer,
	`ts` text,
	`chart_file_id` text,
	`error` text,
	PRIMARY KEY(`week`, `channel`)
);

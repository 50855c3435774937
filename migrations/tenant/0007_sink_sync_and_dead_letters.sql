CREATE TABLE `sink_dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`sink_id` text NOT NULL,
	`case_id` text NOT NULL,
	`version` integer NOT NULL,
	`error` text NOT NULL,
	`attempts` integer NOT NULL,
	`created_at` integer NOT NULL,
	`replayed_at` integer
);
--> statement-breakpoint
CREATE INDEX `sink_dead_letters_open_idx` ON `sink_dead_letters` (`created_at`) WHERE replayed_at IS NULL;--> statement-breakpoint
CREATE TABLE `sink_sync` (
	`case_id` text NOT NULL,
	`sink_id` text NOT NULL,
	`synced_version` integer DEFAULT 0 NOT NULL,
	`synced_seq` integer DEFAULT 0 NOT NULL,
	`external_id` text,
	`external_url` text,
	`last_error` text,
	`last_error_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`case_id`, `sink_id`)
);

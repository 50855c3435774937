CREATE TABLE `intel_judgements` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`source_connector_id` text,
	`source` text NOT NULL,
	`observable_id` text NOT NULL,
	`observable_type` text NOT NULL,
	`observable_value` text NOT NULL,
	`disposition` integer NOT NULL,
	`disposition_name` text NOT NULL,
	`priority` integer,
	`severity` text,
	`confidence` text,
	`reason` text,
	`reason_uri` text,
	`valid_from` integer,
	`valid_until` integer,
	`source_time` integer NOT NULL,
	`data` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `intel_judgements_observable_idx` ON `intel_judgements` (`observable_id`,`valid_until`);
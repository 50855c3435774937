-- The cases projection had never been written when its columns changed, so it is rebuilt empty.
DROP TABLE `cases`;--> statement-breakpoint
CREATE TABLE `cases` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`severity` text NOT NULL,
	`priority` text NOT NULL,
	`state` text NOT NULL,
	`assignee_id` text,
	`queue` text NOT NULL,
	`resolution` text,
	`merged_into` text,
	`alert_count` integer DEFAULT 0 NOT NULL,
	`sla_warn_at` integer,
	`sla_due_at` integer,
	`sla_breached_at` integer,
	`version` integer NOT NULL,
	`opened_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`closed_at` integer
);
--> statement-breakpoint
CREATE INDEX `cases_updated_idx` ON `cases` (`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_state_updated_idx` ON `cases` (`state`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_sla_due_idx` ON `cases` (`sla_due_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_assignee_idx` ON `cases` (`assignee_id`,`updated_at`);
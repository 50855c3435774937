CREATE TABLE `sla_policies` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`policy` text NOT NULL,
	`reopen_window_ms` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `work_queue` (
	`case_id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`title` text NOT NULL,
	`severity` text NOT NULL,
	`priority` text NOT NULL,
	`state` text NOT NULL,
	`assignee_id` text,
	`queue` text NOT NULL,
	`sla_warn_at` integer,
	`sla_due_at` integer,
	`sla_breached_at` integer,
	`version` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `work_queue_tenant_idx` ON `work_queue` (`tenant_id`,`updated_at`);--> statement-breakpoint
CREATE INDEX `work_queue_queue_due_idx` ON `work_queue` (`queue`,`sla_due_at`);--> statement-breakpoint
CREATE INDEX `work_queue_assignee_idx` ON `work_queue` (`assignee_id`,`sla_due_at`);
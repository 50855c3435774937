CREATE TABLE `correlations` (
	`key` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`connector_id` text NOT NULL,
	`webhook_id` text NOT NULL,
	`received_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`connector_id`, `webhook_id`)
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_expires_idx` ON `webhook_deliveries` (`expires_at`);--> statement-breakpoint
ALTER TABLE `alerts` ADD `correlation_key` text;--> statement-breakpoint
ALTER TABLE `alerts` ADD `correlated_at` integer;--> statement-breakpoint
CREATE INDEX `alerts_uncorrelated_idx` ON `alerts` (`correlated_at`,`created_at`);
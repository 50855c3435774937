CREATE TABLE `alert_source_versions` (
	`alert_id` text NOT NULL,
	`source_time` integer NOT NULL,
	`source` text NOT NULL,
	`state` text NOT NULL,
	`received_at` integer NOT NULL,
	`applied_at` integer,
	PRIMARY KEY(`alert_id`, `source_time`)
);
--> statement-breakpoint
CREATE INDEX `alert_source_versions_owed_idx` ON `alert_source_versions` (`alert_id`) WHERE applied_at IS NULL;--> statement-breakpoint
CREATE TABLE `correlation_joins` (
	`from_key` text NOT NULL,
	`into_key` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL,
	`applied_at` integer,
	PRIMARY KEY(`from_key`, `into_key`)
);
--> statement-breakpoint
CREATE INDEX `correlation_joins_owed_idx` ON `correlation_joins` (`from_key`) WHERE applied_at IS NULL;--> statement-breakpoint
CREATE TABLE `intel_indicators` (
	`id` text PRIMARY KEY NOT NULL,
	`source_connector_id` text,
	`source` text NOT NULL,
	`title` text,
	`producer` text NOT NULL,
	`indicator_types` text NOT NULL,
	`kill_chain_phases` text NOT NULL,
	`confidence` text,
	`severity` text,
	`valid_from` integer,
	`valid_until` integer,
	`source_time` integer NOT NULL,
	`data` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `intel_relationships` (
	`id` text PRIMARY KEY NOT NULL,
	`source_connector_id` text,
	`relationship_type` text NOT NULL,
	`source_ref` text NOT NULL,
	`target_ref` text NOT NULL,
	`source_time` integer NOT NULL,
	`data` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `intel_relationships_source_idx` ON `intel_relationships` (`source_ref`);--> statement-breakpoint
CREATE INDEX `intel_relationships_target_idx` ON `intel_relationships` (`target_ref`);--> statement-breakpoint
ALTER TABLE `intel_judgements` ADD `applied_at` integer;--> statement-breakpoint
CREATE INDEX `intel_judgements_owed_idx` ON `intel_judgements` (`id`) WHERE applied_at IS NULL;
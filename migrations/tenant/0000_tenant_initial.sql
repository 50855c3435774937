CREATE TABLE `alert_observables` (
	`alert_id` text NOT NULL,
	`observable_id` text NOT NULL,
	PRIMARY KEY(`alert_id`, `observable_id`)
);
--> statement-breakpoint
CREATE INDEX `alert_observables_observable_idx` ON `alert_observables` (`observable_id`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`dedup_key` text NOT NULL,
	`class_uid` integer NOT NULL,
	`category_uid` integer NOT NULL,
	`activity_id` integer NOT NULL,
	`type_uid` integer NOT NULL,
	`severity_id` integer NOT NULL,
	`status_id` integer,
	`time` integer NOT NULL,
	`title` text NOT NULL,
	`finding_uid` text NOT NULL,
	`finding_info` text NOT NULL,
	`metadata` text NOT NULL,
	`product_name` text,
	`vendor_name` text,
	`observables` text,
	`device` text,
	`actor` text,
	`resources` text,
	`attributes` text NOT NULL,
	`raw_data` text NOT NULL,
	`occurrence_count` integer DEFAULT 1 NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`source_connector_id` text,
	`case_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_dedup_key_unique` ON `alerts` (`dedup_key`);--> statement-breakpoint
CREATE INDEX `alerts_time_id_idx` ON `alerts` (`time`,`id`);--> statement-breakpoint
CREATE INDEX `alerts_severity_time_id_idx` ON `alerts` (`severity_id`,`time`,`id`);--> statement-breakpoint
CREATE INDEX `alerts_status_time_id_idx` ON `alerts` (`status_id`,`time`,`id`);--> statement-breakpoint
CREATE INDEX `alerts_case_idx` ON `alerts` (`case_id`);--> statement-breakpoint
CREATE TABLE `assets` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`uid` text NOT NULL,
	`name` text,
	`details` text,
	`criticality` text,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assets_kind_uid_unique` ON `assets` (`kind`,`uid`);--> statement-breakpoint
CREATE TABLE `case_timeline` (
	`case_id` text NOT NULL,
	`seq` integer NOT NULL,
	`type` text NOT NULL,
	`actor` text NOT NULL,
	`at` integer NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`case_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `cases` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`severity_id` integer NOT NULL,
	`priority` text,
	`state` text NOT NULL,
	`assignee_id` text,
	`resolution` text,
	`alert_count` integer DEFAULT 0 NOT NULL,
	`ack_due_at` integer,
	`resolve_due_at` integer,
	`version` integer NOT NULL,
	`opened_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`closed_at` integer
);
--> statement-breakpoint
CREATE INDEX `cases_state_updated_idx` ON `cases` (`state`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_updated_idx` ON `cases` (`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `cases_assignee_idx` ON `cases` (`assignee_id`);--> statement-breakpoint
CREATE TABLE `comments` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`author_id` text NOT NULL,
	`body` text NOT NULL,
	`visibility` text DEFAULT 'internal' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `comments_case_idx` ON `comments` (`case_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `enrichments` (
	`id` text PRIMARY KEY NOT NULL,
	`observable_id` text NOT NULL,
	`provider` text NOT NULL,
	`verdict` text,
	`data` text NOT NULL,
	`fetched_at` integer NOT NULL,
	`expires_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `enrichments_observable_provider_unique` ON `enrichments` (`observable_id`,`provider`);--> statement-breakpoint
CREATE TABLE `idempotency_records` (
	`principal` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status_code` integer,
	`response_body` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`principal`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_records_expires_idx` ON `idempotency_records` (`expires_at`);--> statement-breakpoint
CREATE TABLE `observables` (
	`id` text PRIMARY KEY NOT NULL,
	`type_id` integer NOT NULL,
	`type` text NOT NULL,
	`value` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `observables_type_value_unique` ON `observables` (`type_id`,`value`);--> statement-breakpoint
CREATE INDEX `observables_value_idx` ON `observables` (`value`);--> statement-breakpoint
CREATE TABLE `quarantine` (
	`id` text PRIMARY KEY NOT NULL,
	`source_connector_id` text,
	`reason` text NOT NULL,
	`details` text,
	`payload` text NOT NULL,
	`received_at` integer NOT NULL,
	`replayed_at` integer
);
--> statement-breakpoint
CREATE INDEX `quarantine_received_idx` ON `quarantine` (`received_at`,`id`);--> statement-breakpoint
CREATE TABLE `sink_links` (
	`case_id` text NOT NULL,
	`sink` text NOT NULL,
	`external_id` text NOT NULL,
	`external_url` text,
	`last_synced_version` integer,
	`last_synced_at` integer,
	PRIMARY KEY(`case_id`, `sink`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sink_links_sink_external_unique` ON `sink_links` (`sink`,`external_id`);
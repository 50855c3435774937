CREATE TABLE `admin_audit` (
	`tenant_id` text NOT NULL,
	`seq` integer NOT NULL,
	`id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`before` text,
	`after` text,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `admin_audit_tenant_at_idx` ON `admin_audit` (`tenant_id`,`at`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`principal_id` text NOT NULL,
	`method` text NOT NULL,
	`csrf_token` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`idle_expires_at` integer NOT NULL,
	`absolute_expires_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`principal_id`) REFERENCES `principals`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_principal_idx` ON `sessions` (`principal_id`);--> statement-breakpoint
ALTER TABLE `grants` ADD `updated_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `grants` ADD `revoked_at` integer;--> statement-breakpoint
ALTER TABLE `machine_clients` ADD `created_by` text;--> statement-breakpoint
ALTER TABLE `machine_clients` ADD `last_used_at` integer;--> statement-breakpoint
ALTER TABLE `signing_keys` ADD `private_jwk_ciphertext` text;--> statement-breakpoint
ALTER TABLE `signing_keys` ADD `activated_at` integer;--> statement-breakpoint
ALTER TABLE `signing_keys` ADD `rotate_at` integer;--> statement-breakpoint
ALTER TABLE `tenants` ADD `daily_ingest_quota` integer;
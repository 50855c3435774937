ALTER TABLE `sink_sync` ADD `detail` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `sink_sync` ADD `lease_until` integer;
ALTER TABLE `webhook_deliveries` ADD `outcome` text;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `accepted` integer;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `duplicates` integer;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `quarantined` integer;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `ignored` integer;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `intel` integer;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `quarantine_ids` text;
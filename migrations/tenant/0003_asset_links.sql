CREATE TABLE `alert_assets` (
	`alert_id` text NOT NULL,
	`asset_id` text NOT NULL,
	PRIMARY KEY(`alert_id`, `asset_id`)
);
--> statement-breakpoint
CREATE INDEX `alert_assets_asset_idx` ON `alert_assets` (`asset_id`);
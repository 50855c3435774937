DROP INDEX `changes_entity_version_type`;--> statement-breakpoint
ALTER TABLE `changes` ADD `origin` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `changes_entity_origin_version_type` ON `changes` (`kind`,`entity_id`,`origin`,`version`,`type`);
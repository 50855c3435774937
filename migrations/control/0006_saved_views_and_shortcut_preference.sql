CREATE TABLE `saved_views` (
	`id` text PRIMARY KEY NOT NULL,
	`principal_id` text NOT NULL,
	`name` text NOT NULL,
	`search` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`principal_id`) REFERENCES `principals`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `saved_views_principal_name_unique` ON `saved_views` (`principal_id`,`name`);--> statement-breakpoint
ALTER TABLE `principals` ADD `single_key_shortcuts` integer DEFAULT true NOT NULL;
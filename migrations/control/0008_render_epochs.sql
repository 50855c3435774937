CREATE TABLE `render_epochs` (
	`scope` text PRIMARY KEY NOT NULL,
	`epoch` integer NOT NULL
);

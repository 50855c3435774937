CREATE TABLE `xdr_org_pauses` (
	`org_key` text PRIMARY KEY NOT NULL,
	`paused_until` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `xdr_request_budget` (
	`org_key` text NOT NULL,
	`window_start` integer NOT NULL,
	`used` integer NOT NULL,
	PRIMARY KEY(`org_key`, `window_start`)
);

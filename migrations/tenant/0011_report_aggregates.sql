CREATE TABLE `report_counts` (
	`grain` text NOT NULL,
	`metric` text NOT NULL,
	`bucket` integer NOT NULL,
	`severity` text NOT NULL,
	`dim1` text NOT NULL,
	`dim2` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`grain`, `metric`, `bucket`, `severity`, `dim1`, `dim2`)
);
--> statement-breakpoint
CREATE TABLE `report_durations` (
	`grain` text NOT NULL,
	`bucket` integer NOT NULL,
	`severity` text NOT NULL,
	`clock` text NOT NULL,
	`n` integer NOT NULL,
	`business_sum_ms` integer NOT NULL,
	`wall_sum_ms` integer NOT NULL,
	`business_bins` text NOT NULL,
	`wall_bins` text NOT NULL,
	PRIMARY KEY(`grain`, `bucket`, `severity`, `clock`)
);

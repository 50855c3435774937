-- drizzle-kit quotes expression index parts as identifiers; the index line is corrected by hand.
-- Rows projected before this migration get their due clock, real age and alert count with their
-- next change; until then the last change is the best lower bound of the age we have.
ALTER TABLE `work_queue` ADD `sla_due_clock` text;--> statement-breakpoint
ALTER TABLE `work_queue` ADD `alert_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `work_queue` ADD `opened_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `work_queue_due_key_idx` ON `work_queue` (coalesce("sla_due_at", 8640000000000000),`case_id`);--> statement-breakpoint
UPDATE `work_queue` SET `opened_at` = `updated_at` WHERE `opened_at` = 0;

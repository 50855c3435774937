-- drizzle-kit quotes expression index parts as identifiers; the due index line is corrected by hand.
DROP INDEX `work_queue_due_key_idx`;--> statement-breakpoint
CREATE INDEX `work_queue_walk_due_idx` ON `work_queue` (coalesce("sla_due_at", 8640000000000000),`case_id`,`tenant_id`,`state`);--> statement-breakpoint
CREATE INDEX `work_queue_walk_severity_idx` ON `work_queue` ((case "severity" when 'low' then 1 when 'medium' then 2 when 'high' then 3 when 'critical' then 4 else 0 end),`case_id`,`tenant_id`,`state`);--> statement-breakpoint
CREATE INDEX `work_queue_walk_priority_idx` ON `work_queue` ((case "priority" when 'P4' then 1 when 'P3' then 2 when 'P2' then 3 when 'P1' then 4 else 0 end),`case_id`,`tenant_id`,`state`);--> statement-breakpoint
CREATE INDEX `work_queue_walk_activity_idx` ON `work_queue` (`updated_at`,`case_id`,`tenant_id`,`state`);--> statement-breakpoint
CREATE INDEX `work_queue_walk_age_idx` ON `work_queue` (`opened_at`,`case_id`,`tenant_id`,`state`);
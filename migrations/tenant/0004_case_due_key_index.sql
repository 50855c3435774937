-- drizzle-kit quotes expression index parts as identifiers; this line is corrected by hand.
CREATE INDEX `cases_due_key_idx` ON `cases` (coalesce("sla_due_at", 8640000000000000),`id`);

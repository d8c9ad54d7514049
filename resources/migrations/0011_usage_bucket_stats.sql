ALTER TABLE `usage_scans` ADD `stats_objects` integer;--> statement-breakpoint
ALTER TABLE `usage_scans` ADD `stats_bytes` integer;
ALTER TABLE `uploads` ADD `wait_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `uploads` ADD `change_count` integer DEFAULT 0 NOT NULL;
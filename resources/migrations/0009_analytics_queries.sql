DROP INDEX `operations_upload_idx`;--> statement-breakpoint
DROP INDEX `operations_started_idx`;--> statement-breakpoint
CREATE INDEX `operations_failed_idx` ON `operations` (`started_at`,`operation`,`error_code`,`http_status`,`connection_id`) WHERE success = 0;--> statement-breakpoint
CREATE INDEX `operations_duration_idx` ON `operations` (`duration_ms`,`started_at`,`connection_id`);--> statement-breakpoint
CREATE INDEX `operations_upload_idx` ON `operations` (`upload_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `operations_started_idx` ON `operations` (`started_at`,`connection_id`);--> statement-breakpoint
ALTER TABLE `uploads` ADD `first_request_at` integer;--> statement-breakpoint
CREATE INDEX `uploads_verified_idx` ON `uploads` (`status`,`verified_at`,`category`,`size`,`connection_id`,`created_at`,`first_request_at`);--> statement-breakpoint
CREATE INDEX `uploads_status_updated_idx` ON `uploads` (`status`,`updated_at`,`size`,`connection_id`);--> statement-breakpoint
CREATE INDEX `uploads_resumed_idx` ON `uploads` (`status`,`verified_at`,`updated_at`,`resumes`,`bytes_resumed`,`connection_id`) WHERE resumes > 0;
CREATE TABLE `connections` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`provider` text NOT NULL,
	`endpoint` text NOT NULL,
	`region` text NOT NULL,
	`bucket` text NOT NULL,
	`cdn_base_url` text,
	`path_style` integer DEFAULT false NOT NULL,
	`default_visibility` text DEFAULT 'private' NOT NULL,
	`max_file_size` integer NOT NULL,
	`allowed_file_types` text DEFAULT '[]' NOT NULL,
	`access_key_id` text NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `connections_name_unique` ON `connections` (`name`);--> statement-breakpoint
CREATE TABLE `multipart_parts` (
	`session_id` text NOT NULL,
	`part_number` integer NOT NULL,
	`etag` text NOT NULL,
	`size` integer NOT NULL,
	`md5` text NOT NULL,
	`uploaded_at` integer NOT NULL,
	PRIMARY KEY(`session_id`, `part_number`),
	FOREIGN KEY (`session_id`) REFERENCES `multipart_sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `multipart_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`upload_id` text NOT NULL,
	`s3_upload_id` text NOT NULL,
	`object_key` text NOT NULL,
	`part_size` integer NOT NULL,
	`part_count` integer NOT NULL,
	`part_md5s` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`ended_at` integer,
	FOREIGN KEY (`upload_id`) REFERENCES `uploads`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `multipart_sessions_s3_upload_id_idx` ON `multipart_sessions` (`s3_upload_id`);--> statement-breakpoint
CREATE INDEX `multipart_sessions_upload_idx` ON `multipart_sessions` (`upload_id`);--> statement-breakpoint
CREATE TABLE `operations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`connection_id` text,
	`upload_id` text,
	`operation` text NOT NULL,
	`object_key` text,
	`http_method` text,
	`bytes_sent` integer DEFAULT 0 NOT NULL,
	`duration_ms` integer NOT NULL,
	`http_status` integer,
	`success` integer NOT NULL,
	`error_code` text,
	`started_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `operations_upload_idx` ON `operations` (`upload_id`);--> statement-breakpoint
CREATE INDEX `operations_started_idx` ON `operations` (`started_at`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`connection_id` text NOT NULL,
	`source_path` text NOT NULL,
	`size` integer NOT NULL,
	`mtime_ms` integer NOT NULL,
	`fingerprint` text NOT NULL,
	`object_key` text NOT NULL,
	`content_type` text NOT NULL,
	`category` text NOT NULL,
	`visibility` text NOT NULL,
	`on_conflict` text DEFAULT 'keep-both' NOT NULL,
	`status` text NOT NULL,
	`method` text NOT NULL,
	`sha256` text,
	`etag` text,
	`bytes_done` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`retry_after` integer,
	`error_code` text,
	`error_message` text,
	`error_retryable` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`verified_at` integer,
	FOREIGN KEY (`connection_id`) REFERENCES `connections`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `uploads_status_idx` ON `uploads` (`status`,`created_at`);
CREATE TABLE `watch_folders` (
	`id` text PRIMARY KEY NOT NULL,
	`path` text NOT NULL,
	`connection_id` text NOT NULL,
	`prefix` text,
	`category` text,
	`include` text DEFAULT '[]' NOT NULL,
	`exclude` text DEFAULT '[]' NOT NULL,
	`poll` integer DEFAULT false NOT NULL,
	`paused` integer DEFAULT false NOT NULL,
	`sync_deletes` integer DEFAULT false NOT NULL,
	`delete_guard_percent` integer DEFAULT 25 NOT NULL,
	`deletes_held` integer DEFAULT 0 NOT NULL,
	`problem` text,
	`message` text,
	`scan_requested_at` integer,
	`last_scan_at` integer,
	`last_sync_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`connection_id`) REFERENCES `connections`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `watch_folders_path_unique` ON `watch_folders` (`path`);--> statement-breakpoint
CREATE TABLE `watched_files` (
	`folder_id` text NOT NULL,
	`relative_path` text NOT NULL,
	`size` integer NOT NULL,
	`mtime_ms` integer NOT NULL,
	`state` text NOT NULL,
	`upload_id` text,
	`object_key` text,
	`sha256` text,
	`etag` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`folder_id`, `relative_path`),
	FOREIGN KEY (`folder_id`) REFERENCES `watch_folders`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `watched_files_upload_idx` ON `watched_files` (`upload_id`);
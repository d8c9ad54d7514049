CREATE TABLE `operation_rollups` (
	`day` text NOT NULL,
	`connection_id` text DEFAULT '' NOT NULL,
	`operation` text NOT NULL,
	`success` integer NOT NULL,
	`error_code` text DEFAULT '' NOT NULL,
	`count` integer NOT NULL,
	`bytes_sent` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	PRIMARY KEY(`day`, `connection_id`, `operation`, `success`, `error_code`)
);
--> statement-breakpoint
CREATE TABLE `usage_scan_units` (
	`connection_id` text NOT NULL,
	`prefix` text NOT NULL,
	`continuation_token` text,
	`done` integer DEFAULT false NOT NULL,
	`counts` text DEFAULT '{}' NOT NULL,
	`pages` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`connection_id`, `prefix`),
	FOREIGN KEY (`connection_id`) REFERENCES `usage_scans`(`connection_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `usage_scans` (
	`connection_id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`method` text NOT NULL,
	`pid` integer,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`updated_at` integer NOT NULL,
	`unfinished_uploads` integer DEFAULT 0 NOT NULL,
	`unfinished_bytes` integer DEFAULT 0 NOT NULL,
	`error` text,
	FOREIGN KEY (`connection_id`) REFERENCES `connections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `usage_snapshots` (
	`connection_id` text NOT NULL,
	`area` text NOT NULL,
	`objects` integer NOT NULL,
	`bytes` integer NOT NULL,
	PRIMARY KEY(`connection_id`, `area`),
	FOREIGN KEY (`connection_id`) REFERENCES `connections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `connections` ADD `quota_bytes` integer;--> statement-breakpoint
ALTER TABLE `connections` ADD `prices` text;--> statement-breakpoint
ALTER TABLE `uploads` ADD `resumes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `uploads` ADD `bytes_resumed` integer DEFAULT 0 NOT NULL;
CREATE TABLE `image_sets` (
	`id` text PRIMARY KEY NOT NULL,
	`source_path` text NOT NULL,
	`source_sha256` text NOT NULL,
	`preset` text NOT NULL,
	`format` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`dominant_color` text NOT NULL,
	`bytes_before` integer NOT NULL,
	`bytes_after` integer NOT NULL,
	`variant_count` integer NOT NULL,
	`original_kept` integer NOT NULL,
	`cache_hit` integer NOT NULL,
	`notices` text DEFAULT '[]' NOT NULL,
	`prepared_at` integer NOT NULL,
	FOREIGN KEY (`id`) REFERENCES `uploads`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `uploads` ADD `optimize` text;--> statement-breakpoint
ALTER TABLE `uploads` ADD `image_set_id` text;--> statement-breakpoint
ALTER TABLE `uploads` ADD `variant` text;--> statement-breakpoint
ALTER TABLE `uploads` ADD `origin_path` text;--> statement-breakpoint
ALTER TABLE `uploads` ADD `metadata` text;--> statement-breakpoint
CREATE INDEX `uploads_image_set_idx` ON `uploads` (`image_set_id`);--> statement-breakpoint
ALTER TABLE `watch_folders` ADD `optimize` integer;
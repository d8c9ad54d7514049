PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_operation_rollups` (
	`day` text NOT NULL,
	`connection_id` text DEFAULT '' NOT NULL,
	`operation` text NOT NULL,
	`success` integer NOT NULL,
	`error_code` text DEFAULT '' NOT NULL,
	`http_status` integer DEFAULT 0 NOT NULL,
	`count` integer NOT NULL,
	`bytes_sent` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	PRIMARY KEY(`day`, `connection_id`, `operation`, `success`, `error_code`, `http_status`)
);
--> statement-breakpoint
INSERT INTO `__new_operation_rollups`("day", "connection_id", "operation", "success", "error_code", "http_status", "count", "bytes_sent", "duration_ms") SELECT "day", "connection_id", "operation", "success", "error_code", 0, "count", "bytes_sent", "duration_ms" FROM `operation_rollups`;--> statement-breakpoint
DROP TABLE `operation_rollups`;--> statement-breakpoint
ALTER TABLE `__new_operation_rollups` RENAME TO `operation_rollups`;--> statement-breakpoint
PRAGMA foreign_keys=ON;
CREATE TABLE `publishes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`actor_id` integer,
	`restores_id` integer,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`step` text NOT NULL,
	`build` text,
	`changes` text,
	`findings` text,
	`message` text,
	`commit_sha` text,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `publishes_started_idx` ON `publishes` (`started_at`);
CREATE TABLE `member_profiles` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`role_title` text,
	`areas` text DEFAULT '[]' NOT NULL,
	`ask_me_about` text,
	`show_ask_me_about` integer DEFAULT false NOT NULL,
	`work_phone` text,
	`show_work_phone` integer DEFAULT false NOT NULL,
	`work_email` text,
	`show_work_email` integer DEFAULT false NOT NULL,
	`link` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `sessions` ADD `reauthenticated_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `erased_at` integer;
-- Full-text search over forum posts (SQLite FTS5), kept in step by triggers.
-- One row per post (rowid = posts.id): the thread's title and the post's Markdown.
-- Hidden and deleted posts stay indexed; queries join posts and filter them out.
CREATE VIRTUAL TABLE `posts_fts` USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `posts_fts_insert` AFTER INSERT ON `posts` BEGIN
  INSERT INTO `posts_fts` (rowid, title, body) VALUES (new.id, (SELECT title FROM threads WHERE id = new.thread_id), new.raw);
END;
--> statement-breakpoint
CREATE TRIGGER `posts_fts_update` AFTER UPDATE OF raw ON `posts` BEGIN
  UPDATE `posts_fts` SET body = new.raw WHERE rowid = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER `posts_fts_delete` AFTER DELETE ON `posts` BEGIN
  DELETE FROM `posts_fts` WHERE rowid = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `threads_fts_title` AFTER UPDATE OF title ON `threads` BEGIN
  UPDATE `posts_fts` SET title = new.title WHERE rowid IN (SELECT id FROM posts WHERE thread_id = new.id);
END;

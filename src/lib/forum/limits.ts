import { z } from 'zod';
import { formatCount } from '#lib/numbers.ts';
import { markdownProblem } from './markdown.ts';

export const TITLE_MIN = 5;
export const TITLE_MAX = 150;
export const BODY_MAX = 20_000;
export const THREADS_PER_PAGE = 25;
export const POSTS_PER_PAGE = 20;
/** Posting (threads and replies) per member: 6 a minute. */
export const POSTING_LIMIT = { max: 6, windowMs: 60_000 };

export const titleSchema = z
  .string({ error: `Write a title of at least ${TITLE_MIN} characters` })
  .trim()
  .min(TITLE_MIN, `Write a title of at least ${TITLE_MIN} characters`)
  .max(TITLE_MAX, `Keep the title to ${TITLE_MAX} characters or fewer`);

export const bodySchema = z
  .string({ error: 'Write something before posting' })
  .trim()
  .min(1, 'Write something before posting')
  .max(BODY_MAX, `Keep a post to ${formatCount(BODY_MAX)} characters or fewer`)
  .superRefine((body, ctx) => {
    const problem = markdownProblem(body);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A URL part made from a title: lower-case words joined by hyphens. */
export function slugify(title: string): string {
  return (
    title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 80)
      // Trimmed after the cut, which can end on a hyphen.
      .replace(/^-+|-+$/g, '') || 'thread'
  );
}

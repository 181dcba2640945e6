export type ReviewStatus = 'current' | 'due-soon' | 'overdue';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How close to the review date a guide starts telling its owner a review is near. */
export const DUE_SOON_DAYS = 30;

/**
 * Where a guide stands against its review date. A guide is overdue from the day after
 * `reviewDue`, so a guide due today is still only "due soon".
 */
export function reviewStatus(reviewDue: Date, now: Date): ReviewStatus {
  const endOfDueDay = startOfUtcDay(reviewDue) + DAY_MS;
  if (now.getTime() >= endOfDueDay) return 'overdue';
  if (endOfDueDay - now.getTime() <= DUE_SOON_DAYS * DAY_MS) return 'due-soon';
  return 'current';
}

function startOfUtcDay(d: Date): number {
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/**
 * Numbers people send in addresses and forms: a row's id (/forum/t/12, ?mention=7, a
 * hidden `postId` field) and a list's page (?page=3). One rule for every page and Action:
 * plain digits only (no "1e3", " 1", "0x1", "007"), a whole number from 1 that JavaScript
 * holds exactly. Anything else is "not found" for an id and page 1 for a page.
 */
import { z } from 'zod';

/** An id from the address, or null for anything that is not a plain positive number. */
export function parseId(value: string | null | undefined): number | null {
  if (!value || !/^[1-9]\d{0,15}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** The most pages a list offers: beyond it, ?page= means page 1 (no list here is that long). */
export const PAGE_MAX = 100_000;

/** A page number from ?page= (1 when absent, not a number, or beyond PAGE_MAX). */
export function pageNumber(value: string | null | undefined): number {
  const n = parseId(value);
  return n !== null && n <= PAGE_MAX ? n : 1;
}

/** An id in a form (a hidden field or a choice), with the sentence shown when it is not one. */
export function idField(message: string) {
  return z.coerce.number({ error: message }).int(message).positive(message).max(Number.MAX_SAFE_INTEGER, message);
}

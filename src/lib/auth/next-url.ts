/** Only a path on this site may be a post-sign-in destination (no open redirects). */
export function safeNext(next: string | null | undefined, fallback = '/members'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  try {
    const url = new URL(next, 'http://portal.invalid');
    const path = `${url.pathname}${url.search}`;
    // Dot segments can collapse into `//host` ("/.//evil.example"): check the result too.
    return url.host === 'portal.invalid' && !path.startsWith('//') ? path : fallback;
  } catch {
    return fallback;
  }
}

/** The longest `next` the sign-in form accepts (its hidden field is checked against this). */
export const NEXT_MAX = 2000;

/**
 * The sign-in page, coming back to this path afterwards. An address longer than the
 * sign-in form accepts comes back to its path without the query, or to the members'
 * home: encoded again, a long query grew the redirect past what clients read (found by fuzzing).
 */
export function signInPath(path: string, search = ''): string {
  const back = [path + search, path].find((candidate) => encodeURIComponent(candidate).length <= NEXT_MAX);
  return back ? `/login?next=${encodeURIComponent(back)}` : '/login';
}

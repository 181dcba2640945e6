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

/**
 * The browser editor (Keystatic) adds <style> elements as it runs, which the site's
 * policy (hashes only) refuses, so its page alone may use inline style elements. Inline
 * style attributes, scripts and every other host stay refused; the Google font the
 * editor asks for stays blocked (it falls back to the system font).
 */
export const EDITOR_STYLE_ELEMENTS = "style-src-elem 'self' 'unsafe-inline'";

/** The policy Astro set for the editor's page, with inline style elements allowed. */
export function editorContentSecurityPolicy(policy: string): string {
  const directives = policy
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d && !/^style-src-elem\s/i.test(d));
  return [...directives, EDITOR_STYLE_ELEMENTS].join('; ');
}

/** The editor app's own pages (not its API, which answers JSON and files). */
export const isEditorAppPath = (pathname: string) => pathname === '/keystatic' || pathname.startsWith('/keystatic/');

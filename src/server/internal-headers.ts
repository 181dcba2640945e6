/**
 * What the Astro side tells the server about a response, for the request's log line:
 * the route's pattern (never the URL, which may hold a token) and the member's id. The
 * middleware sets these on the response; the server reads and removes them before the
 * headers go out, so they never reach the browser.
 */
export const ROUTE_HEADER = 'x-portal-route';
export const MEMBER_HEADER = 'x-portal-member';

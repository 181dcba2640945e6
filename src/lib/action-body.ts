/**
 * Astro parses an Action's body itself (JSON for `/_actions/…`, a form for a page posted
 * with `?_action=`) and answers a body it cannot parse with a 500 and a stack trace in
 * the log. A malformed body is the sender's mistake, not ours: the middleware asks here
 * first and answers 400 with a plain message. Bodies of other types are left to the
 * Action (it refuses them with 415).
 */
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;
const FORM_TYPE = /^(?:multipart\/form-data|application\/x-www-form-urlencoded)\b/i;

/** True for the requests Astro hands to an Action. */
export function isActionRequest(request: Request, url: URL): boolean {
  return request.method === 'POST' && (url.pathname.startsWith('/_actions/') || url.searchParams.has('_action'));
}

/** What is wrong with an Action request's body, in a sentence; null when it parses. */
export async function actionBodyProblem(request: Request): Promise<string | null> {
  const type = request.headers.get('content-type') ?? '';
  if (JSON_TYPE.test(type)) {
    const text = await request.clone().text();
    if (text === '') return null; // an Action without input may be called with no body
    try {
      JSON.parse(text);
      return null;
    } catch {
      return 'The request body is not valid JSON.';
    }
  }
  if (FORM_TYPE.test(type)) {
    try {
      await request.clone().formData();
      return null;
    } catch {
      return 'The request body is not a valid form.';
    }
  }
  return null;
}

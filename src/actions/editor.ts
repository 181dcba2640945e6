/**
 * Editors' forms on the dashboard (/editor). Each handler checks that the caller is a
 * signed-in editor or administrator BEFORE it reads the form (a refusal is audited),
 * then validates the form with zod and calls src/lib/editing.
 */
import { ActionError, type ActionAPIContext } from 'astro:actions';
import { z } from 'zod';
import { resolveKeptVersion } from '#lib/editing/kept-versions.ts';
import { publishService, type PublishRequest } from '#lib/publishing/service.ts';
import { idField } from '#lib/params.ts';
import { memberAction, type Caller } from './define.ts';
import { parseForm, refusalError } from './errors.ts';

/** An editor's form action: editors and administrators only, a refusal at the door audited. */
function editorAction<T>(name: string, run: (caller: Caller, form: FormData, context: ActionAPIContext) => Promise<T>) {
  return memberAction({ role: 'editor', audit: { action: 'editor-access', target: `editor.${name}`, forbidden: 'not-an-editor' } }, run);
}

const keptForm = z.object({ id: idField('Unknown kept version') });
// The dashboard's Publish button sends this; an empty post starts nothing.
const publishForm = z.object({ confirm: z.literal('publish', { error: 'Use the Publish button on the editors’ dashboard.' }) });
const rollbackForm = z.object({ publishId: idField('Choose a version to restore') });

/** Starts a publish (or a rollback, which is one) and sends the editor to its progress page. */
async function startPublish({ user, ip }: Caller, context: ActionAPIContext, request: Omit<PublishRequest, 'actor'>) {
  const service = publishService();
  if (!service) throw new ActionError({ code: 'SERVICE_UNAVAILABLE', message: 'Publishing needs the portal’s own server (npm start); this server cannot publish.' });
  const started = await service.start({ ...request, actor: { userId: user.id, ip, name: user.displayName, email: user.email } });
  if (!started.ok) throw refusalError(context, started);
  return { redirect: `/editor/publishes/${started.publishId}` };
}

export const editor = {
  publish: editorAction('publish', async (caller, form, context) => {
    parseForm(publishForm, form);
    return startPublish(caller, context, { kind: 'publish' });
  }),

  rollback: editorAction('rollback', async (caller, form, context) => {
    const { publishId } = parseForm(rollbackForm, form);
    return startPublish(caller, context, { kind: 'rollback', restoresId: publishId });
  }),

  resolveKeptVersion: editorAction('resolveKeptVersion', async ({ db, user, ip }, form, context) => {
    const { id } = parseForm(keptForm, form);
    const result = await resolveKeptVersion(db, { userId: user.id, ip }, id);
    if (!result.ok) throw refusalError(context, result);
    return { message: 'Marked as dealt with.' };
  }),
};

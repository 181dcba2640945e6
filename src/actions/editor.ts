/**
 * Editors' forms on the dashboard (/editor). Each handler checks that the caller is a
 * signed-in editor or administrator BEFORE it reads the form (a refusal is audited),
 * then validates the form with zod and calls src/lib/editing.
 */
import { z } from 'zod';
import { resolveKeptVersion } from '#lib/editing/kept-versions.ts';
import { memberAction, type Caller } from './define.ts';
import { parseForm, refusalError } from './errors.ts';
import type { ActionAPIContext } from 'astro:actions';

/** An editor's form action: editors and administrators only, a refusal at the door audited. */
function editorAction<T>(name: string, run: (caller: Caller, form: FormData, context: ActionAPIContext) => Promise<T>) {
  return memberAction({ role: 'editor', audit: { action: 'editor-access', target: `editor.${name}`, forbidden: 'not-an-editor' } }, run);
}

const keptForm = z.object({ id: z.coerce.number({ error: 'Unknown kept version' }).int().positive() });

export const editor = {
  resolveKeptVersion: editorAction('resolveKeptVersion', async ({ db, user, ip }, form, context) => {
    const { id } = parseForm(keptForm, form);
    const result = await resolveKeptVersion(db, { userId: user.id, ip }, id);
    if (!result.ok) throw refusalError(context, result);
    return { message: 'Marked as dealt with.' };
  }),
};

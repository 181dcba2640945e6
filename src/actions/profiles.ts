/**
 * The member's own profile in the directory. Signed-in, verified members only
 * (memberAction), checked before the form is read; the rules are in
 * src/lib/directory/profiles.ts.
 */
import { profileInputSchema, saveProfile } from '#lib/directory/profiles.ts';
import { memberAction } from './define.ts';
import { parseForm } from './errors.ts';

export const profiles = {
  save: memberAction({}, async ({ db, user, ip }, form) => {
    await saveProfile(db, user.id, parseForm(profileInputSchema, form, ['areas']), ip);
    return { redirect: '/account/profile?done=1' };
  }),
};

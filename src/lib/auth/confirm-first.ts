/**
 * What a "confirm it is you, then act" page starts with (/account/authenticator,
 * /account/passkeys): a signed-in member, the results of the confirmation form and of the
 * page's own forms (a success goes to the address the action gives, 303), what each form
 * shows, and whether this session confirmed recently enough to show the forms that act
 * (src/lib/auth/reauthentication.ts; the actions check it again, since they are public).
 *   const page = await confirmFirst(Astro, actions.accounts.reauthenticate, { add: actions.accounts.addPasskey });
 *   if (page instanceof Response) return page;
 */
import type { AstroGlobal } from 'astro';
import { formState, type FormState } from '#lib/forms.ts';
import { requireMember, type Member } from './guards.ts';
import { isRecentlyReauthenticated } from './reauthentication.ts';

type Action = Parameters<AstroGlobal['getActionResult']>[0];

export interface ConfirmFirstPage<K extends string> extends Member {
  confirmed: boolean;
  confirmState: FormState;
  states: Record<K, FormState>;
}

export async function confirmFirst<K extends string>(Astro: AstroGlobal, confirm: Action, acting: Record<K, Action>): Promise<ConfirmFirstPage<K> | Response> {
  const member = requireMember(Astro);
  if (member instanceof Response) return member;
  const forms = [['confirm', confirm], ...Object.entries<Action>(acting)] as const;
  const results = forms.map(([name, action]) => [name, Astro.getActionResult(action)] as const);
  for (const [, result] of results) {
    if (result?.data) return Astro.redirect(result.data.redirect, 303);
  }
  const states: Record<string, FormState> = {};
  for (const [name, result] of results) states[name] = await formState(Astro, result);
  const { confirm: confirmState, ...rest } = states;
  return { ...member, confirmed: isRecentlyReauthenticated(member.session), confirmState: confirmState!, states: rest as Record<K, FormState> };
}

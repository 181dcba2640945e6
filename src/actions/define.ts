/**
 * How a members' form Action is defined: it checks who is asking before it reads the
 * form (so a refused visitor learns nothing about it), then hands the caller and the form
 * to the work. Actions are public endpoints (/_actions/*) that middleware does not guard,
 * so every members' action goes through here.
 */
import { ActionError, defineAction, type ActionAPIContext } from 'astro:actions';
import type { Role, Session } from '#db/schema.ts';
import { audit } from '#lib/auth/audit.ts';
import { requireActor } from '#lib/auth/guards.ts';
import type { SessionUser } from '#lib/auth/sessions.ts';
import { getDb, type Database } from '#lib/db.ts';

/** Who sent the form, and from where. */
export interface Caller {
  db: Database;
  user: SessionUser;
  session: Session;
  ip: string;
}

export interface Door {
  /** The least role that may use it (default: any member). */
  role?: Role;
  /** Audit a refusal at the door: as `action`, naming the action `target`; `forbidden` is the detail's reason for a signed-in member without the role. */
  audit?: { action: string; target: string; forbidden: string };
}

export function memberAction<T>(door: Door, run: (caller: Caller, form: FormData, context: ActionAPIContext) => Promise<T>) {
  return defineAction({
    accept: 'form',
    handler: async (form: FormData, context) => {
      const db = await getDb();
      let member;
      try {
        member = requireActor(context, door.role);
      } catch (error) {
        if (door.audit && error instanceof ActionError) {
          await audit(db, {
            actorId: context.locals.user?.id ?? null,
            action: door.audit.action,
            outcome: 'refused',
            targetType: 'action',
            targetId: door.audit.target,
            ip: context.clientAddress,
            detail: { reason: error.code === 'FORBIDDEN' ? door.audit.forbidden : 'not-signed-in' },
          });
        }
        throw error;
      }
      return run({ db, ...member, ip: context.clientAddress }, form, context);
    },
  });
}

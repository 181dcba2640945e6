import { accounts } from './accounts.ts';
import { admin } from './admin.ts';
import { calendar } from './calendar.ts';
import { editor } from './editor.ts';
import { forum } from './forum.ts';
import { moderation } from './moderation.ts';
import { notifications } from './notifications.ts';
import { profiles } from './profiles.ts';

// Each group lives in its own file; every handler checks authorisation itself, because
// actions are public endpoints (/_actions/*) that middleware does not guard.
export const server = { accounts, admin, calendar, editor, forum, moderation, notifications, profiles };

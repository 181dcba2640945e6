import { accounts } from './accounts.ts';
import { admin } from './admin.ts';

// Each group lives in its own file; every handler checks authorisation itself, because
// actions are public endpoints (/_actions/*) that middleware does not guard.
export const server = { accounts, admin };

/**
 * The `source` filter of the members' search: every record of the members' index
 * carries MEMBERS_SOURCE, and the public index is merged in tagged PUBLIC_SOURCE.
 */
export const MEMBERS_SOURCE = 'Members only';
export const PUBLIC_SOURCE = 'Public library';

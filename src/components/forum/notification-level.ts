/**
 * The Watching / Normal / Muted form for one thread or category, written as a string.
 * NotificationLevel.astro inserts it (and reads the level when a page does not know it);
 * the thread and category pages call it directly, which saves a component instance each
 * (decision 037). Everything is escaped here. Its styles are in global.css.
 */
import { levelLabels, notificationLevels, type NotificationLevel } from '#lib/forum/levels.ts';
import { formAction } from '#lib/forum/urls.ts';
import { escapeHtml } from '#lib/html.ts';

/** The Actions the form posts to: `actions.notifications` from astro:actions (which this module cannot import: unit tests load it). */
export interface NotificationLevelActions {
  setThreadLevel: { toString(): string };
  setCategoryLevel: { toString(): string };
}

export interface NotificationLevelOptions {
  kind: 'thread' | 'category';
  /** The thread's or category's id and its title or name. */
  targetId: number;
  targetName: string;
  level: NotificationLevel;
  actions: NotificationLevelActions;
  /** This page's address, where the member is sent back to. */
  url: URL;
  /** The field's label (default: "Notifications for this thread/category"). */
  label?: string;
}

export function notificationLevelHtml({ kind, targetId, targetName, level, actions, url, label }: NotificationLevelOptions): string {
  const action = formAction('/notifications', kind === 'thread' ? actions.setThreadLevel : actions.setCategoryLevel);
  const fieldId = `notification-level-${kind}-${targetId}`;
  const params = new URLSearchParams(url.searchParams);
  params.delete('_action');
  const query = params.toString();
  const back = query ? `${url.pathname}?${query}` : url.pathname;
  let options = '';
  for (const option of notificationLevels) options += `<option value="${option}"${option === level ? ' selected' : ''}>${escapeHtml(levelLabels[option])}</option>`;
  // The spaces and the one line break are where Astro's template put them (the component's output before this function).
  return (
    `<form class="notification-level" method="POST" action="${escapeHtml(action)}"> ` +
    `<input type="hidden" name="${kind === 'thread' ? 'threadId' : 'categoryId'}" value="${targetId}"> ` +
    `<input type="hidden" name="next" value="${escapeHtml(back)}"> ` +
    `<label for="${fieldId}">${escapeHtml(label ?? `Notifications for this ${kind}`)}</label> ` +
    `<div class="notification-level__row"> <select id="${fieldId}" name="level"> ${options} </select> ` +
    `<button type="submit" class="button-secondary">\nSave<span class="visually-hidden"> notifications for ${escapeHtml(targetName)}</span> </button> </div> </form>`
  );
}

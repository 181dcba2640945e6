import { useCallback, useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import { renderedByReact } from './react-island.ts';

/**
 * The post box of the forum's forms. On the server (and without JavaScript) it is a
 * plain labelled textarea inside the page's form, so posting never depends on this
 * island. Once hydrated it adds:
 *
 * - a live preview, rendered by the server's own pipeline (POST /forum/preview), so
 *   what you see is exactly what will be posted (sanitised, headings shifted, links
 *   marked), with the safeguarding check's findings as a gentle note;
 * - a draft kept in this browser (localStorage), restored when you come back to an
 *   empty box, dropped when the form is sent or after a week;
 * - name suggestions while typing an @mention (GET /forum/mentions.json), as buttons
 *   after the box that put the whole name in: reachable with Tab, announced politely.
 *
 * The field keeps the ids of Field.astro (`field-<name>`, `-hint`, `-error`), so the
 * error summary's links and aria-describedby work the same way.
 */
export interface ComposerProps {
  /** The form field's name. */
  name?: string;
  label: string;
  hint?: string;
  /** The server's message for this field, if the last submission failed. */
  error?: string;
  /** The text to start with: what was sent (on a refusal), the post being edited, or a quote. */
  initial?: string;
  /** Where the draft is kept (one per member and form); none: no draft. */
  draftKey?: string;
  /** When `initial` is a quote, put an unsent draft before it rather than dropping either. */
  mergeDraft?: boolean;
  rows?: number;
  /** The heading level of "Preview", to fit the page's outline. */
  previewHeadingLevel?: 2 | 3;
  previewUrl?: string;
  /** Where a mention would be seen, so only members who can see it are suggested. */
  mentionScope?: { thread: number } | { category: number };
}

interface Draft {
  text: string;
  savedAt: number;
}

interface PreviewFinding {
  label: string;
  text: string;
}

type Preview =
  | { status: 'idle' }
  | { status: 'loading'; html: string }
  | { status: 'done'; html: string; findings: PreviewFinding[] }
  | { status: 'error'; message: string; html: string };

/** The `@start of a name` just before the caret: 2–40 characters, no new line or second @. */
const MENTION_BEFORE_CARET = /(?:^|\s)@([^@\n]{2,40})$/;
const MENTION_DELAY_MS = 250;

const DRAFT_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
const SAVE_DELAY_MS = 400;
const PREVIEW_DELAY_MS = 350;

function readDraft(key: string): Draft | null {
  try {
    const raw = window.localStorage.getItem(key);
    if (!raw) return null;
    const draft = JSON.parse(raw) as Partial<Draft>;
    if (typeof draft.text !== 'string' || typeof draft.savedAt !== 'number') return null;
    if (Date.now() - draft.savedAt > DRAFT_LIFETIME_MS) {
      window.localStorage.removeItem(key);
      return null;
    }
    return { text: draft.text, savedAt: draft.savedAt };
  } catch {
    return null; // storage switched off or full: the form still works
  }
}

function writeDraft(key: string, text: string): void {
  try {
    if (text.trim()) window.localStorage.setItem(key, JSON.stringify({ text, savedAt: Date.now() } satisfies Draft));
    else window.localStorage.removeItem(key);
  } catch {
    // Storage refused: nothing to do, the text is still in the box.
  }
}

function clearDraft(key: string): void {
  try {
    window.localStorage.removeItem(key);
  } catch {
    // As above.
  }
}

const previewErrors: Record<number, string> = {
  401: 'Your session has ended, so the preview cannot be shown. Your draft is kept in this browser: sign in again in another tab, then carry on.',
  403: 'The preview was refused. Reload the page and try again.',
  413: 'This is too long to preview: keep a post to 20,000 characters or fewer.',
};

export default function Composer({
  name = 'body',
  label,
  hint,
  error,
  initial = '',
  draftKey,
  mergeDraft = false,
  rows = 10,
  previewHeadingLevel = 2,
  previewUrl = '/forum/preview',
  mentionScope,
}: ComposerProps) {
  const id = `field-${name}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const previewId = `${useId().replace(/[^a-zA-Z0-9_-]/g, '')}-preview`;
  const [text, setText] = useState(initial);
  const [mounted, setMounted] = useState(false);
  const [draftNote, setDraftNote] = useState<string | null>(null);
  const [showPreview, setShowPreview] = useState(false);
  const [preview, setPreview] = useState<Preview>({ status: 'idle' });
  const boxRef = useRef<HTMLTextAreaElement>(null);
  const [mention, setMention] = useState<{ query: string; names: string[] } | null>(null);
  const describedBy = [hint && hintId, error && errorId].filter(Boolean).join(' ') || undefined;

  /** Puts text in the box: it is uncontrolled, so React never overwrites what someone typed. */
  const replaceText = useCallback((value: string) => {
    if (boxRef.current) boxRef.current.value = value;
    setText(value);
  }, []);

  // After hydration only, so the server's HTML and the first render agree.
  useEffect(() => {
    setMounted(true);
    // Typed before the script arrived: keep that, and do not bring back an older draft over it.
    const typed = boxRef.current?.value ?? initial;
    if (typed !== initial) {
      setText(typed);
      return;
    }
    if (!draftKey) return;
    const draft = readDraft(draftKey);
    if (!draft || draft.text === initial) return;
    if (!initial.trim()) {
      replaceText(draft.text);
      setDraftNote('We restored the text you had not posted yet.');
    } else if (mergeDraft && !draft.text.includes(initial.trim())) {
      replaceText(`${draft.text.trimEnd()}\n\n${initial}`);
      setDraftNote('We kept the text you had not posted yet, with the quote added after it.');
    }
  }, [draftKey, initial, mergeDraft, replaceText]);

  // Save the draft shortly after typing stops.
  useEffect(() => {
    if (!mounted || !draftKey) return;
    const timer = window.setTimeout(() => writeDraft(draftKey, text), SAVE_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [text, mounted, draftKey]);

  // Sending the form ends the draft: on a refusal the page comes back with the text in the box.
  useEffect(() => {
    const form = boxRef.current?.form;
    if (!form || !draftKey) return;
    const onSubmit = () => clearDraft(draftKey);
    form.addEventListener('submit', onSubmit);
    return () => form.removeEventListener('submit', onSubmit);
  }, [draftKey, mounted]);

  // The preview follows the text while it is open.
  useEffect(() => {
    if (!showPreview) return;
    if (!text.trim()) {
      setPreview({ status: 'done', html: '', findings: [] });
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(async () => {
      setPreview((p) => ({ status: 'loading', html: 'html' in p ? p.html : '' }));
      try {
        const response = await fetch(previewUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify({ body: text }),
          signal: controller.signal,
        });
        if (!response.ok) {
          const message = previewErrors[response.status] ?? 'The preview could not be shown just now. Your text is safe, and you can still post it.';
          setPreview((p) => ({ status: 'error', message, html: 'html' in p ? p.html : '' }));
          return;
        }
        const data = (await response.json()) as { html: string; findings: PreviewFinding[] };
        setPreview({ status: 'done', html: data.html, findings: data.findings });
      } catch (err) {
        if ((err as Error).name === 'AbortError') return;
        setPreview((p) => ({ status: 'error', message: 'The preview could not be shown just now. Your text is safe, and you can still post it.', html: 'html' in p ? p.html : '' }));
      }
    }, PREVIEW_DELAY_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [text, showPreview, previewUrl]);

  const onChange = useCallback((event: ChangeEvent<HTMLTextAreaElement>) => setText(event.target.value), []);

  // Suggest members' names for the @mention being typed.
  useEffect(() => {
    const box = boxRef.current;
    if (!mounted || !mentionScope || !box) return;
    const query = MENTION_BEFORE_CARET.exec(box.value.slice(0, box.selectionStart))?.[1];
    if (!query) {
      setMention(null);
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(async () => {
      const scope = 'thread' in mentionScope ? `thread=${mentionScope.thread}` : `category=${mentionScope.category}`;
      try {
        const response = await fetch(`/forum/mentions.json?${scope}&q=${encodeURIComponent(query)}`, { credentials: 'same-origin', signal: controller.signal });
        const names = response.ok ? ((await response.json()) as { displayName: string }[]).map((m) => m.displayName) : [];
        setMention({ query, names });
      } catch {
        // Aborted or offline: no suggestions, typing carries on.
      }
    }, MENTION_DELAY_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [text, mounted, mentionScope]);

  /** Replaces the typed `@start` with the whole name and puts the caret after it. */
  const chooseMention = (displayName: string) => {
    const box = boxRef.current;
    if (!box || !mention) return;
    const before = box.value.slice(0, box.selectionStart);
    const start = before.length - mention.query.length;
    const value = `${box.value.slice(0, start)}${displayName} ${box.value.slice(box.selectionStart)}`;
    replaceText(value);
    setMention(null);
    box.focus();
    box.setSelectionRange(start + displayName.length + 1, start + displayName.length + 1);
  };

  const discardDraft = () => {
    if (draftKey) clearDraft(draftKey);
    replaceText(initial);
    setDraftNote(null);
    boxRef.current?.focus();
  };

  const Heading = previewHeadingLevel === 3 ? 'h3' : 'h2';

  return (
    <div className={`field composer${error ? ' field--error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={errorId}>
          <span className="visually-hidden">Error:</span> {error}
        </p>
      )}
      <textarea
        ref={boxRef}
        id={id}
        name={name}
        rows={rows}
        defaultValue={initial}
        onChange={onChange}
        aria-describedby={describedBy}
        aria-invalid={error ? 'true' : undefined}
        spellCheck
      />
      {mounted && mentionScope && (
        <div className="composer__mentions">
          <p className="visually-hidden" role="status">
            {mention ? `${mention.names.length} ${mention.names.length === 1 ? 'member matches' : 'members match'} @${mention.query}` : ''}
          </p>
          {mention && mention.names.length > 0 && (
            <ul aria-label="Mention a member">
              {mention.names.map((displayName) => (
                <li key={displayName}>
                  <button type="button" className="button-secondary" onClick={() => chooseMention(displayName)}>
                    Mention {displayName}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {mounted && (
        <div className="composer__tools">
          <button type="button" className="button-secondary" aria-expanded={showPreview} aria-controls={previewId} onClick={() => setShowPreview((s) => !s)}>
            {showPreview ? 'Hide preview' : 'Show preview'}
          </button>
          {draftNote && (
            <p className="composer__draft" role="status">
              {draftNote}{' '}
              <button type="button" className="link-button" onClick={discardDraft}>
                Discard it
              </button>
            </p>
          )}
        </div>
      )}
      {mounted && showPreview && (
        <section id={previewId} className="composer__preview" aria-labelledby={`${previewId}-heading`} aria-busy={preview.status === 'loading'}>
          <Heading id={`${previewId}-heading`} className="composer__preview-heading">
            Preview
          </Heading>
          {preview.status === 'error' && (
            <p className="composer__preview-status" role="status">
              {preview.message}
            </p>
          )}
          {preview.status === 'done' && preview.findings.length > 0 && (
            <div className="composer__preview-findings" role="status">
              <p>Before you post: this may contain a victim’s personal data, so you will be asked to check it.</p>
              <ul>
                {preview.findings.map((f, i) => (
                  <li key={i}>
                    {f.label}: <q>{f.text}</q>
                  </li>
                ))}
              </ul>
            </div>
          )}
          {preview.status === 'done' && !text.trim() ? (
            <p className="small">Nothing to preview yet.</p>
          ) : (
            // The server's sanitised rendering (src/lib/forum/markdown.ts), as posts are shown.
            <div className="prose forum-post__body" data-preview-body dangerouslySetInnerHTML={{ __html: 'html' in preview ? preview.html : '' }} />
          )}
        </section>
      )}
    </div>
  );
}

renderedByReact(Composer);

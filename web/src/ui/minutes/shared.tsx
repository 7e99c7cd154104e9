// Small pieces the meeting screens share: the minutes' hash routes, a labelled field, and a
// form that shows the server's refusal in words.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MinutesClient } from '../../client/minutes';
import type { Json } from '../../protocol/connection';

/** The meetings pages' routes, under "#/meetings". */
export type Route =
  | { page: 'rooms' }
  | { page: 'room'; room: string }
  | { page: 'actions' }
  | { page: 'meeting'; meeting: number; version: number }
  | { page: 'print'; meeting: number; version: number };

export function routeFromHash(hash: string): Route {
  const parts = hash.replace(/^#\/meetings\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [a, b, c] = parts;
  if (a === 'actions') return { page: 'actions' };
  if (a === 'room' && b) return { page: 'room', room: b };
  const id = Number(a);
  if (Number.isSafeInteger(id) && id > 0) {
    const version = Number(c) || 0;
    return b === 'print' ? { page: 'print', meeting: id, version } : { page: 'meeting', meeting: id, version: b === 'v' ? version : 0 };
  }
  return { page: 'rooms' };
}

export function hashOf(r: Route): string {
  switch (r.page) {
    case 'rooms': return '#/meetings';
    case 'actions': return '#/meetings/actions';
    case 'room': return `#/meetings/room/${encodeURIComponent(r.room)}`;
    case 'meeting': return `#/meetings/${r.meeting}${r.version ? `/v/${r.version}` : ''}`;
    case 'print': return `#/meetings/${r.meeting}/print${r.version ? `/${r.version}` : ''}`;
  }
}

export function go(r: Route): void {
  window.location.hash = hashOf(r);
}

/** What a field says when someone else saved a change to it while this person was typing. */
export const kChangedElsewhere = 'Someone else saved a change here while you were typing: saving replaces it with yours.';

/** A text input or text area with its label (and an optional hint tied to it). */
export function Field({ id, label, value, onInput, multiline, hint, type, required, rows, list, changed }: {
  id: string; label: string; value: string; onInput: (v: string) => void; multiline?: boolean; hint?: string;
  type?: 'text' | 'date' | 'time'; required?: boolean; rows?: number; list?: string;
  /** Someone else saved this field while this person was changing it (see useSynced). */
  changed?: boolean;
}) {
  const describedBy = [hint ? `${id}-hint` : '', changed ? `${id}-changed` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{label}{required ? '' : <span class="optional"> (optional)</span>}</label>
      {multiline
        ? <textarea id={id} rows={rows ?? 3} value={value} aria-describedby={describedBy}
            onInput={(e) => onInput(e.currentTarget.value)} />
        : <input id={id} type={type ?? 'text'} value={value} required={required} aria-describedby={describedBy} list={list}
            onInput={(e) => onInput(e.currentTarget.value)} />}
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {changed && <p class="hint changed-elsewhere" id={`${id}-changed`}>{kChangedElsewhere}</p>}
    </div>
  );
}

/**
 * A form field's value kept in step with the server's `server` value: it starts there and,
 * when someone else's saved change arrives, follows it unless this person has changed the field
 * since; then the third value is true (their text stays, and saving replaces the other change)
 * until the field and the server agree again.
 */
export function useSynced<T>(server: T): [T, (v: T) => void, boolean] {
  const [value, setValue] = useState(server);
  const [clash, setClash] = useState(false);
  const base = useRef(server);
  const current = useRef(value);
  current.current = value;
  useEffect(() => {
    const before = base.current;
    if (server === before) return;
    base.current = server;
    if (current.current === before || current.current === server) setValue(server);
    else setClash(true);
  }, [server]);
  useEffect(() => { if (value === server) setClash(false); }, [value, server]);
  return [value, setValue, clash];
}

/**
 * Runs `reload` whenever minutes in `room` (every room for null) may have changed elsewhere
 * (MinutesClient.watch): one reload at a time, and one more if another change came meanwhile.
 */
export function useLiveReload(client: MinutesClient, room: string | null, reload: () => Promise<unknown>): void {
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => {
    let running = false;
    let again = false;
    let stopped = false;
    const run = (): void => {
      if (stopped) return;
      if (running) { again = true; return; }
      running = true;
      void latest.current().catch(() => undefined).finally(() => {
        running = false;
        if (again) { again = false; run(); }
      });
    };
    const stop = client.watch(room, run);
    return () => { stopped = true; stop(); };
  }, [client, room]);
}

/**
 * A form whose submit runs `save`; while it runs the button is busy, and a refusal from the
 * server is shown in words above the fields (role="alert"), the fields keeping what was typed.
 */
export function SaveForm({ label, save, children, submit, class: cls, done }: {
  label: string; save: () => Promise<unknown>; children: ComponentChildren; submit: string; class?: string; done?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [message, setMessage] = useState('');
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setMessage('');
    try {
      await save();
      setMessage(done ?? 'Saved.');
    } catch (err) {
      setError(refusal(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class={cls ?? 'entry-form'} aria-label={label} onSubmit={onSubmit}>
      {error && <p class="error" role="alert">{error}</p>}
      {children}
      <div class="form-row">
        <button type="submit" class="primary" disabled={busy}>{submit}</button>
        {message && <span role="status" class="saved">{message}</span>}
      </div>
    </form>
  );
}

const kCodes: Record<string, string> = {
  forbidden: 'Not allowed',
  minutes_locked: 'These minutes are locked',
  wrong_status: 'Not at this stage',
  findings_unacknowledged: 'Plain-language findings need the chair',
  bad_signature: 'The signature was refused',
  not_found: 'Not found',
  bad_request: 'Check what you typed',
  connection_closed: 'Not connected',
};

/** A refusal as a person reads it: what kind of refusal, then the server's own words. */
export function refusal(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const head = e.code ? kCodes[e.code] : undefined;
  return head ? `${head}: ${e.message ?? ''}` : (e.message ?? String(err));
}

/** Drops empty strings so that optional fields are left out of a request. */
export function fields(o: Record<string, string | number | boolean | null | undefined>): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) if (v !== '' && v !== undefined && v !== null) out[k] = typeof v === 'string' ? v.trim() : v;
  return out;
}

/** Saves text as a file the person chooses where to keep. */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

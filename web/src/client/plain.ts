// Plain-language help: the jargon engine compiled to WebAssembly (jargon/wasm/README.md), shipped
// with the client (web/build.mjs bundles the glue as a chunk and names the .wasm in
// <meta name="liaise-jargon">) and loaded only after
// unlocking, so it never delays the room list. The dictionaries come from the server's
// `dictionaries` request and are kept in IndexedDB by version. Until the engine is ready (or in
// a build without it) every check finds nothing: the browser shows no help rather than made-up
// help.
import * as store from './store';

export interface Meaning {
  discipline: string;
  alternatives: string[];
  explanation: string;
}

/** One finding as the engine gives it (PROTOCOL.md, "Findings"), plus UTF-16 offsets. */
export interface Finding {
  /** UTF-16 offsets into the checked text (the engine's UTF-8 offsets, converted). */
  start: number;
  end: number;
  text: string; // the words as written
  term: string; // the dictionary's term
  kind: string;
  disciplines: string[];
  alternatives: string[];
  explanation: string;
  meanings: Meaning[];
}

export interface Audience {
  public: boolean;
  disciplines: string[];
}

type Json = Record<string, unknown>;

interface Engine {
  load(reply: Json): { ok: boolean; problems?: string[] };
  check(text: string, audience: string | string[], options?: { fix?: boolean }): Json;
  checkForReader(text: string, reader: string, writers: string[]): Json;
  utf16Ranges(text: string, findings: Json[]): [number, number][];
}

let engine: Engine | null = null;
let loading: Promise<void> | null = null;
const listeners = new Set<() => void>();

/** Whether the engine and dictionaries are loaded (false: checks find nothing). */
export function engineReady(): boolean {
  return engine !== null;
}

/** Calls `fn` whenever the engine becomes ready or its dictionaries change. */
export function onEngineChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function shipped(): string | null {
  return document.querySelector('meta[name="liaise-jargon"]')?.getAttribute('content') || null;
}

async function createEngine(wasm: string): Promise<Engine> {
  // The Emscripten glue, a chunk of its own (web/build.mjs): not part of a first visit.
  const glue = (await import('liaise-jargon-glue')).default;
  if (!glue) throw new Error('this build has no plain-language engine');
  return glue({ locateFile: () => wasm }) as Promise<Engine>;
}

/**
 * Loads the engine and the dictionaries, once; call again (with `refresh`) when the server says
 * the dictionaries changed. `request` is the session's request function. Never rejects: without
 * the engine the client simply offers no help.
 */
export function startEngine(request: (type: string, fields: Json) => Promise<Json>, refresh = false): Promise<void> {
  const files = shipped();
  if (!files) return Promise.resolve();
  if (loading && !refresh) return loading;
  const previous = loading ?? Promise.resolve();
  loading = previous.then(async () => {
    try {
      const e = engine ?? (await createEngine(files));
      const cached = await store.get<Json>('dictionaries');
      const reply = await request('dictionaries', cached && typeof cached.version === 'number' ? { have: cached.version } : {});
      let dictionaries = cached;
      if (!reply.unchanged && Array.isArray(reply.dictionaries)) {
        const loaded = e.load(reply);
        if (loaded.ok) {
          await store.put('dictionaries', reply);
          dictionaries = reply;
        } else if (cached) {
          e.load(cached); // a download that does not validate is discarded, the cache kept
        }
      } else if (dictionaries && !engine) {
        e.load(dictionaries);
      }
      if (dictionaries) {
        if (!engine) performance.mark('liaise:plain-ready'); // bench/web_bench.mjs
        engine = e;
        for (const fn of listeners) fn();
      }
    } catch {
      // No help rather than an error: writing and reading work without it.
    }
  });
  return loading;
}

function withRanges(text: string, result: Json): Finding[] {
  if (!engine || !Array.isArray(result.findings)) return [];
  const raw = result.findings as Json[];
  const ranges = engine.utf16Ranges(text, raw);
  return raw.map((f, i) => {
    const [start, end] = ranges[i] ?? [0, 0];
    return {
      start, end,
      text: String(f.text ?? ''),
      term: String(f.term ?? ''),
      kind: String(f.kind ?? ''),
      disciplines: (f.disciplines as string[]) ?? [],
      alternatives: (f.alternatives as string[]) ?? [],
      explanation: String(f.explanation ?? ''),
      meanings: (f.meanings as Meaning[]) ?? [],
    };
  });
}

function audienceArg(a: Audience): string | string[] {
  return a.public ? 'public' : a.disciplines;
}

/** What readers of `audience` may not share in `text` (nothing before the engine is ready). */
export function checkDraft(text: string, audience: Audience): Finding[] {
  if (!engine || !text || (!audience.public && audience.disciplines.length === 0)) return [];
  return withRanges(text, engine.check(text, audienceArg(audience)));
}

/** The whole draft with every agreed plain alternative put in (the engine's "fix"). */
export function fixDraft(text: string, audience: Audience): string {
  if (!engine) return text;
  const r = engine.check(text, audienceArg(audience), { fix: true });
  return typeof r.fixed === 'string' ? r.fixed : text;
}

/** What a reader of `reader`'s discipline may not understand in a message from `writers`. */
export function checkForReader(text: string, reader: string, writers: string[]): Finding[] {
  if (!engine || !text || !reader || writers.length === 0) return [];
  return withRanges(text, engine.checkForReader(text, reader, writers));
}

/** "Use plain words": the finding's words replaced with its first plain alternative. */
export function usePlainWords(text: string, f: Finding): string {
  const plain = f.alternatives[0];
  return plain ? text.slice(0, f.start) + plain + text.slice(f.end) : text;
}

/** "Explain in brackets": the words kept, with the first plain alternative after them. */
export function explainInBrackets(text: string, f: Finding): string {
  const plain = f.alternatives[0];
  return plain ? `${text.slice(0, f.end)} (${plain})${text.slice(f.end)}` : text;
}

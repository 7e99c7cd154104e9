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

/** One edit of a draft: [start, end) in UTF-16 units becomes `text`. */
export interface Fix {
  start: number;
  end: number;
  text: string;
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
  /**
   * In a draft: "use plain words" and "explain in brackets" for this finding alone, as the
   * engine's offer_fixes() gives them (jargon/include/liaise/jargon/fix.hpp); null where the
   * rules give none (an acronym describing a noun is not replaced; a term whose meanings differ
   * is left for the writer).
   */
  replace?: Fix | null;
  explain?: Fix | null;
}

/** A draft checked for its room: the findings and the whole text fixed both ways. */
export interface Draft {
  findings: Finding[];
  /** Plain words where they fit, else explained (`liaise send --fix`). */
  fixed: string;
  /** Every term kept and explained on first use (`liaise send --explain-fix`). */
  explained: string;
}

export interface Audience {
  public: boolean;
  disciplines: string[];
}

type Json = Record<string, unknown>;

interface Engine {
  load(reply: Json): { ok: boolean; problems?: string[] };
  check(text: string, audience: string | string[], options?: { fix?: boolean }): Json;
  draft(text: string, audience: string | string[], writers: string[]): Json;
  checkForReader(text: string, reader: string, writers: string[]): Json;
  utf16Ranges(text: string, findings: { start: number; end: number }[]): [number, number][];
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
  const ranges = engine.utf16Ranges(text, raw as unknown as Fix[]);
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

/**
 * What readers of `audience` may not share in `text`, with `liaise send`'s rules: the writer's
 * own disciplines (`writers`; empty when not known) settle what an ambiguous term means, and each
 * finding carries the engine's fixes. Nothing is found before the engine is ready.
 */
export function checkDraft(text: string, audience: Audience, writers: string[]): Draft {
  const none: Draft = { findings: [], fixed: text, explained: text };
  if (!engine || !text || (!audience.public && audience.disciplines.length === 0)) return none;
  const started = performance.now();
  const r = engine.draft(text, audienceArg(audience), writers);
  if (!Array.isArray(r.fixes)) return none;
  const findings = withRanges(text, r);
  const choices = r.fixes as { replace: Fix | null; explain: Fix | null }[];
  const inUtf16 = (f: Fix | null): Fix | null => {
    if (!f || !engine) return null;
    const [[start, end]] = engine.utf16Ranges(text, [f]) as [[number, number]];
    return { start, end, text: f.text };
  };
  findings.forEach((f, i) => {
    f.replace = inUtf16(choices[i]?.replace ?? null);
    f.explain = inUtf16(choices[i]?.explain ?? null);
  });
  // The last check's time, for bench/web_bench.mjs (one entry, replaced each time).
  performance.clearMeasures('liaise:draft-check');
  performance.measure('liaise:draft-check', { start: started });
  return {
    findings,
    fixed: typeof r.fixed === 'string' ? r.fixed : text,
    explained: typeof r.explained === 'string' ? r.explained : text,
  };
}

/** What a reader of `reader`'s discipline may not understand in a message from `writers`. */
export function checkForReader(text: string, reader: string, writers: string[]): Finding[] {
  if (!engine || !text || !reader || writers.length === 0) return [];
  return withRanges(text, engine.checkForReader(text, reader, writers));
}

/** `text` with one fix applied, and where the caret goes after it (the end of the new words). */
export function applyFix(text: string, fix: Fix): { text: string; caret: number } {
  return { text: text.slice(0, fix.start) + fix.text + text.slice(fix.end), caret: fix.start + fix.text.length };
}

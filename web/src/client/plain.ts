// Plain-language help: the jargon engine compiled to WebAssembly (jargon/wasm/README.md), shipped
// with the client (web/build.mjs bundles the glue as a chunk and names the .wasm in
// <meta name="liaise-jargon">) and loaded only after unlocking, so it never delays the room list.
// It runs in the page's Web Worker (src/worker.ts), so that compiling the dictionaries and
// checking never hold up typing; where no worker can start, on the page. The dictionaries come
// from the server's `dictionaries` request and are kept in IndexedDB by version. Until the
// engine is ready (or in a build without it) every check finds nothing: the browser shows no
// help rather than made-up help.
import { call, offThread } from './background';
import { type Audience, type Draft, EngineHost, type Fix, type Meaning, type Reading, type RoomTerm } from './engine';
import * as store from './store';

export type { Audience, Draft, Finding, Fix, Meaning, Reading, ReadingAge, RoomTerm } from './engine';

type Json = Record<string, unknown>;

/** The engine where it runs: the worker (through messages) or this page. */
interface Engine {
  load(reply: Json): Promise<boolean>;
  draft(text: string, audience: Audience, writers: string[], glossary: RoomTerm[]): Promise<Draft>;
  reader(text: string, reader: string, writers: string[], glossary: RoomTerm[], met: string[]): Promise<Reading>;
  explain(term: string): Promise<Meaning[]>;
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
  if (offThread()) {
    try {
      await call('engine-start', { wasm });
      return {
        load: async (reply) => (await call('engine-load', { reply })) as boolean,
        draft: async (text, audience, writers, glossary) =>
          (await call('draft', { text, audience, writers, glossary: glossary.map((t) => ({ term: t.term, meaning: t.meaning })) })) as Draft,
        reader: async (text, reader, writers, glossary, met) => (await call('reader', {
          text, reader, writers, glossary: glossary.map((t) => ({ term: t.term, meaning: t.meaning })), met,
        })) as Reading,
        explain: async (term) => (await call('explain', { term })) as Meaning[],
      };
    } catch {
      // the worker could not start the engine: the page runs it
    }
  }
  const host = await EngineHost.create(wasm);
  return {
    load: async (reply) => host.load(reply),
    draft: async (text, audience, writers, glossary) => host.draft(text, audience, writers, glossary),
    reader: async (text, reader, writers, glossary, met) => host.reader(text, reader, writers, glossary, met),
    explain: async (term) => host.explain(term),
  };
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
        if (await e.load(reply)) {
          await store.put('dictionaries', reply);
          dictionaries = reply;
        } else if (cached) {
          await e.load(cached); // a download that does not validate is discarded, the cache kept
        }
      } else if (dictionaries && !engine) {
        await e.load(dictionaries);
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

/**
 * What readers of `audience` may not share in `text`, with `liaise send`'s rules: the writer's
 * own disciplines (`writers`; empty when not known) settle what an ambiguous term means, the room's
 * agreed terms (`glossary`) are not flagged unless the audience includes the public, and each
 * finding carries the engine's fixes. Nothing is found before the engine is ready.
 */
export async function checkDraft(text: string, audience: Audience, writers: string[], glossary: RoomTerm[] = []): Promise<Draft> {
  if (!engine) return { findings: [], fixed: text, explained: text };
  const started = performance.now();
  const draft = await engine.draft(text, audience, writers, glossary);
  // The last check's time as the page waits for it, and the part of it the check itself took in
  // the worker, for bench/web_bench.mjs (one entry each).
  performance.clearMeasures('liaise:draft-check');
  performance.measure('liaise:draft-check', { start: started });
  performance.clearMarks('liaise:draft-worker');
  performance.mark('liaise:draft-worker', { detail: draft.workerMs ?? null });
  return draft;
}

/**
 * What a reader of `reader`'s discipline may not understand in a message from `writers`, in a
 * room with agreed terms (`glossary`, possibly none) as `liaise read` does it: agreed terms are
 * not marked, and each is explained in the room's words the first time the reader meets it.
 * `met` is the previous message's `met` (reading order), empty for the first.
 */
export async function readInRoom(text: string, reader: string, writers: string[], glossary: RoomTerm[], met: string[]): Promise<Reading> {
  return engine ? engine.reader(text, reader, writers, glossary, met) : { findings: [], roomTerms: [], met };
}

/**
 * Every dictionary's meaning of `term`, as `liaise explain` gives them (none: no dictionary has
 * it); null before the engine is ready.
 */
export async function lookUp(term: string): Promise<Meaning[] | null> {
  return engine ? engine.explain(term) : null;
}

/** `text` with one fix applied, and where the caret goes after it (the end of the new words). */
export function applyFix(text: string, fix: Fix): { text: string; caret: number } {
  return { text: text.slice(0, fix.start) + fix.text + text.slice(fix.end), caret: fix.start + fix.text.length };
}

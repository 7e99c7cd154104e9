// The page's Web Worker: work that would stall the page while a person types or waits. Each
// message {id, op, ...} gets one answer, {id, value} or {id, error}:
//   derive {passphrase, salt, ops, mem} -> the keystore's key (Argon2id13, a second or so);
//   engine-start {wasm} -> the plain-language engine compiled; engine-load {reply} -> whether
//   the dictionaries loaded; draft {text, audience, writers, glossary} and
//   reader {text, reader, writers, glossary, met} -> the checks of src/client/engine.ts (a draft's
//   answer carries workerMs, the check's own time in the worker);
//   explain {term} -> every dictionary's meaning of the term.
// web/build.mjs names this script in index.html's <meta name="liaise-worker">;
// src/client/background.ts starts it.
import { EngineHost } from './client/engine';
import { deriveKey } from './crypto/keys';
import { loadSodium } from './crypto/sodium';

type Ask = { id: number; op: string } & Record<string, unknown>;

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Ask>) => void) | null;
  postMessage: (m: unknown, transfer?: Transferable[]) => void;
};

let engine: Promise<EngineHost> | null = null;

async function answer(a: Ask): Promise<{ value: unknown; transfer?: Transferable[] }> {
  switch (a.op) {
    case 'derive': {
      await loadSodium();
      const key = deriveKey(a.passphrase as string, a.salt as Uint8Array, a.ops as number, a.mem as number);
      return { value: key, transfer: [key.buffer] };
    }
    case 'engine-start':
      engine ??= EngineHost.create(a.wasm as string);
      await engine;
      return { value: true };
    case 'engine-load':
      return { value: (await need()).load(a.reply as Record<string, unknown>) };
    case 'draft': {
      const host = await need();
      const started = performance.now();
      const value = host.draft(a.text as string, a.audience as never, a.writers as string[], (a.glossary as never) ?? []);
      // The check's own time in the worker, for bench/web_bench.mjs (the page measures the wait).
      value.workerMs = performance.now() - started;
      return { value };
    }
    case 'reader':
      return {
        value: (await need()).reader(a.text as string, a.reader as string, a.writers as string[],
          (a.glossary as never) ?? [], (a.met as string[]) ?? []),
      };
    case 'explain':
      return { value: (await need()).explain(a.term as string) };
    default:
      throw new Error(`unknown request ${a.op}`);
  }
}

function need(): Promise<EngineHost> {
  if (!engine) throw new Error('the engine is not started');
  return engine;
}

scope.onmessage = (e) => {
  const { id } = e.data;
  answer(e.data).then(
    ({ value, transfer }) => scope.postMessage({ id, value }, transfer ?? []),
    (err: unknown) => scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) }),
  );
};

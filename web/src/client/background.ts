// Work that would stall the page, done in its Web Worker (src/worker.ts): the keystore's
// Argon2id and the plain-language engine. The worker is the script index.html names
// (<meta name="liaise-worker">), created through the one Trusted Types policy the server's
// Content-Security-Policy allows (`trusted-types liaise-worker`), which passes that URL and
// nothing else. Where a worker cannot start (an old browser, or a page without the meta), the
// same work runs on the page.
import { type Derive, deriveKey } from '../crypto/keys';

interface TrustedTypes {
  createPolicy(name: string, rules: { createScriptURL: (url: string) => string }): { createScriptURL(url: string): unknown };
}

let worker: Worker | null | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>();

/** The worker failed to start or to run: callers do the work on the page instead. */
const kWorkerFailed = 'worker_failed';

function start(): Worker | null {
  const url = document.querySelector('meta[name="liaise-worker"]')?.getAttribute('content') ?? '';
  if (!url.startsWith('/') || typeof Worker === 'undefined') return null;
  try {
    const tt = (window as unknown as { trustedTypes?: TrustedTypes }).trustedTypes;
    const policy = tt?.createPolicy('liaise-worker', {
      createScriptURL: (u) => {
        if (u !== url) throw new Error('only the worker index.html names may start');
        return u;
      },
    });
    const w = new Worker((policy ? policy.createScriptURL(url) : url) as string, { type: 'module' });
    w.onmessage = (e: MessageEvent<{ id: number; value?: unknown; error?: string }>) => {
      const p = waiting.get(e.data.id);
      if (!p) return;
      waiting.delete(e.data.id);
      if (e.data.error === undefined) p.resolve(e.data.value);
      else p.reject(new Error(e.data.error));
    };
    w.onerror = () => {
      // A worker that cannot run: everything waiting, and everything after, runs on the page.
      worker = null;
      for (const p of waiting.values()) p.reject(new Error(kWorkerFailed));
      waiting.clear();
    };
    return w;
  } catch {
    return null;
  }
}

/** Whether work can go to the worker (starting it the first time). */
export function offThread(): boolean {
  if (worker === undefined) worker = start();
  return worker !== null;
}

/** Asks the worker to do `op` (see src/worker.ts); rejects when it fails or has none. */
export function call(op: string, args: Record<string, unknown>, transfer: Transferable[] = []): Promise<unknown> {
  if (!offThread() || !worker) return Promise.reject(new Error(kWorkerFailed));
  const w = worker;
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.postMessage({ id, op, ...args }, transfer);
  });
}

/** The keystore's key from the passphrase (Argon2id13), in the worker when there is one. */
export const derive: Derive = async (passphrase, salt, ops, mem) => {
  try {
    return (await call('derive', { passphrase, salt, ops, mem })) as Uint8Array;
  } catch (e) {
    if ((e as Error).message !== kWorkerFailed) throw e;
  }
  return deriveKey(passphrase, salt, ops, mem);
};

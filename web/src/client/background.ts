// Work that would stall the page, done in its Web Worker (src/worker.ts): the keystore's
// Argon2id. The worker is the script index.html names (<meta name="liaise-worker">), created
// through the one Trusted Types policy the server's Content-Security-Policy allows
// (`trusted-types liaise-worker`), which passes that URL and nothing else. Where a worker cannot
// start (an old browser, or a page without the meta), the same work runs on the page.
import { type Derive, deriveKey } from '../crypto/keys';

interface TrustedTypes {
  createPolicy(name: string, rules: { createScriptURL: (url: string) => string }): { createScriptURL(url: string): unknown };
}

let worker: Worker | null | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve: (key: Uint8Array) => void; reject: (e: Error) => void }>();

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
    w.onmessage = (e: MessageEvent<{ id: number; key?: Uint8Array; error?: string }>) => {
      const p = waiting.get(e.data.id);
      if (!p) return;
      waiting.delete(e.data.id);
      if (e.data.key) p.resolve(e.data.key);
      else p.reject(new Error(e.data.error ?? 'the worker failed'));
    };
    w.onerror = () => {
      // A worker that cannot run: everything waiting, and everything after, runs on the page.
      worker = null;
      for (const p of waiting.values()) p.reject(new Error('worker_failed'));
      waiting.clear();
    };
    return w;
  } catch {
    return null;
  }
}

/** Whether the key derivation runs off the page's thread (for the About box and the tests). */
export function offThread(): boolean {
  if (worker === undefined) worker = start();
  return worker !== null;
}

/** The keystore's key from the passphrase (Argon2id13), in the worker when there is one. */
export const derive: Derive = async (passphrase, salt, ops, mem) => {
  if (offThread() && worker) {
    const w = worker;
    const id = nextId++;
    try {
      return await new Promise<Uint8Array>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        w.postMessage({ id, passphrase, salt, ops, mem });
      });
    } catch (e) {
      if ((e as Error).message !== 'worker_failed') throw e;
    }
  }
  return deriveKey(passphrase, salt, ops, mem);
};

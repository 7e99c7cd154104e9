// The page's Web Worker: Argon2id (the keystore's key from the passphrase, a second or so of
// work) runs here, so that the page keeps answering while a person unlocks, enrols or changes
// their passphrase. One message in, one out: {id, passphrase, salt, ops, mem} ->
// {id, key} or {id, error}. web/build.mjs names this script in index.html's
// <meta name="liaise-worker">; src/client/background.ts starts it.
import { deriveKey } from './crypto/keys';
import { loadSodium } from './crypto/sodium';

interface Ask {
  id: number;
  passphrase: string;
  salt: Uint8Array;
  ops: number;
  mem: number;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Ask>) => void) | null;
  postMessage: (m: unknown, transfer?: Transferable[]) => void;
};

scope.onmessage = (e) => {
  const { id, passphrase, salt, ops, mem } = e.data;
  void loadSodium().then(() => {
    const key = deriveKey(passphrase, salt, ops, mem);
    scope.postMessage({ id, key }, [key.buffer]);
  }).catch((err: unknown) => scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) }));
};

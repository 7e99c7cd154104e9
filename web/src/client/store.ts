// What the browser keeps, in IndexedDB (database "liaise", one key-value object store): the
// sealed keystore and profile (as the CLI's keystore.json and profile.json), pinned keys, each
// room's ledger, drafts and read positions. Nothing here holds a secret in the clear: the
// keystore is sealed with the passphrase; drafts are the person's own unsent text.
const kDatabase = 'liaise';
const kStore = 'kv';

let opening: Promise<IDBDatabase> | null = null;

function db(): Promise<IDBDatabase> {
  opening ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(kDatabase, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(kStore);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB cannot be opened'));
  });
  return opening;
}

function run<T>(mode: IDBTransactionMode, act: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return db().then((d) => new Promise<T>((resolve, reject) => {
    const tx = d.transaction(kStore, mode);
    const req = act(tx.objectStore(kStore));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
  }));
}

export function get<T>(key: string): Promise<T | undefined> {
  return run('readonly', (s) => s.get(key) as IDBRequest<T | undefined>);
}

export async function put(key: string, value: unknown): Promise<void> {
  await run('readwrite', (s) => s.put(value, key));
}

export async function remove(key: string): Promise<void> {
  await run('readwrite', (s) => s.delete(key));
}

/** The profile: which account and device this browser's keys are (the CLI's profile.json). */
/**
 * Who this browser's keys belong to, in words, for the unlock screen (kept under "account" as
 * the server last said it at enrolment or login; not part of the CLI's profile.json).
 */
export interface AccountName {
  display_name: string;
  agency: string;
}

/** The account's name and agency from an enrol or login reply, kept for the unlock screen. */
export function keepAccountName(reply: Record<string, unknown>): Promise<void> {
  const name: AccountName = {
    display_name: typeof reply.display_name === 'string' ? reply.display_name : '',
    agency: typeof reply.agency === 'string' ? reply.agency : '',
  };
  return put('account', name);
}

export interface Profile {
  server: string;
  user: string;
  device: string;
}

/** Asks the browser not to evict this site's storage (the keys live there). */
export async function askPersistent(): Promise<boolean> {
  try {
    return (await navigator.storage?.persist?.()) ?? false;
  } catch {
    return false;
  }
}

// This browser as a Liaise device: enrolling with a code from an admin, importing the keys of
// a `liaise` command home, unlocking, and exporting the keystore. The keystore is stored in
// IndexedDB exactly as the CLI's keystore.json (sealed with the passphrase, Argon2id).
import { type DeviceKeys, generateDeviceKeys, identityToJson, keystoreWeak, openKeystoreWith, parseKeystore, sealKeystoreWith } from '../crypto/keys';
import { derive } from './background';
import { Connection, ProtocolError, serverUrl } from '../protocol/connection';
import * as store from './store';

export interface Enrolled {
  profile: store.Profile;
  account: Record<string, unknown>;
  keys: DeviceKeys;
}

/** True when this browser holds a device's keys. */
export async function enrolled(): Promise<store.Profile | null> {
  const [profile, keystore] = await Promise.all([store.get<store.Profile>('profile'), store.get<string>('keystore')]);
  return profile && keystore ? profile : null;
}

/** Enrols with a one-time code: makes keys, registers them, seals and stores them. */
export async function enrol(code: string, deviceName: string, passphrase: string): Promise<Enrolled> {
  const url = serverUrl(window.location);
  const conn = new Connection(url, () => undefined, () => undefined);
  try {
    await conn.request('hello', { version: 1, client: 'liaise-web/0.1.0' });
    const keys = generateDeviceKeys();
    const reply = await conn.request('enrol', {
      code: code.trim(), ...identityToJson(keys.identity), device_name: deviceName,
    });
    const profile: store.Profile = { server: url, user: String(reply.user), device: String(reply.device) };
    await store.put('keystore', await sealKeystoreWith(derive, keys, passphrase));
    await store.put('profile', profile);
    await store.keepAccountName(reply);
    if (typeof reply.server_key === 'string') await store.put('server-key', reply.server_key);
    await store.askPersistent();
    return { profile, account: reply, keys };
  } finally {
    conn.close();
  }
}

/**
 * Imports a `liaise` command home's keystore.json and profile.json. The keystore is checked
 * with the passphrase before anything is stored. The two then share one device: use the
 * import to move a device to the browser, not to run both.
 */
export async function importKeys(keystoreJson: string, profileJson: string, passphrase: string): Promise<store.Profile> {
  parseKeystore(keystoreJson);
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(profileJson) as Record<string, unknown>;
  } catch {
    throw new ProtocolError('bad_profile', 'profile.json is not a Liaise profile.');
  }
  if (typeof p.user !== 'string' || typeof p.device !== 'string' || !p.user || !p.device)
    throw new ProtocolError('bad_profile', 'profile.json does not name an account and a device.');
  const keys = await openKeystoreWith(derive, keystoreJson, passphrase); // throws bad_passphrase
  const sealed = keystoreWeak(keystoreJson) ? await sealKeystoreWith(derive, keys, passphrase) : keystoreJson;
  const profile: store.Profile = { server: serverUrl(window.location), user: p.user, device: p.device };
  await store.put('keystore', sealed);
  await store.put('profile', profile);
  await store.askPersistent();
  return profile;
}

/** Opens the stored keystore with the passphrase (bad_passphrase when it is wrong). */
export async function unlock(passphrase: string): Promise<DeviceKeys> {
  const keystore = await store.get<string>('keystore');
  if (!keystore) throw new ProtocolError('not_enrolled', 'This browser holds no Liaise keys.');
  const keys = await openKeystoreWith(derive, keystore, passphrase);
  if (keystoreWeak(keystore)) await store.put('keystore', await sealKeystoreWith(derive, keys, passphrase));
  return keys;
}

/** The stored keystore and profile, as the `liaise` command keeps them, for a download. */
export async function exportKeys(): Promise<{ keystore: string; profile: string }> {
  const keystore = await store.get<string>('keystore');
  const profile = await store.get<store.Profile>('profile');
  if (!keystore || !profile) throw new ProtocolError('not_enrolled', 'This browser holds no Liaise keys.');
  return { keystore: keystore + '\n', profile: JSON.stringify(profile) + '\n' };
}

/**
 * Changes the passphrase: opens the stored keystore with the current one (bad_passphrase
 * otherwise) and seals the same keys under the new one, with a fresh salt and nonce.
 */
export async function changePassphrase(current: string, next: string): Promise<void> {
  const keystore = await store.get<string>('keystore');
  if (!keystore) throw new ProtocolError('not_enrolled', 'This browser holds no Liaise keys.');
  const keys = await openKeystoreWith(derive, keystore, current);
  await store.put('keystore', await sealKeystoreWith(derive, keys, next));
}

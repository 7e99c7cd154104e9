// The one place that loads libsodium (libsodium-wrappers-sumo: WebAssembly, so the page's CSP
// needs 'wasm-unsafe-eval'). Everything else imports `sodium` from here after `loadSodium()`.
import sodium from 'libsodium-wrappers-sumo';

export { sodium };

let loading: Promise<void> | null = null;

/** Resolves when libsodium is usable; rejects (with a plain message) when WebAssembly is not. */
export function loadSodium(): Promise<void> {
  if (!loading) {
    loading = (async () => {
      if (typeof WebAssembly === 'undefined')
        throw new Error('no_webassembly');
      await sodium.ready;
    })();
  }
  return loading;
}

/** URL-safe base64 without padding, as the protocol writes every binary value. */
export function toBase64(bytes: Uint8Array): string {
  return sodium.to_base64(bytes, sodium.base64_variants.URLSAFE_NO_PADDING);
}

/** The bytes of `text` (URL-safe base64 without padding), or null when it is not that. */
export function fromBase64(text: string): Uint8Array | null {
  try {
    return sodium.from_base64(text, sodium.base64_variants.URLSAFE_NO_PADDING);
  } catch {
    return null;
  }
}

/** Like fromBase64, but only a value of exactly `size` bytes. */
export function fromBase64Sized(text: unknown, size: number): Uint8Array | null {
  if (typeof text !== 'string') return null;
  const bytes = fromBase64(text);
  return bytes && bytes.length === size ? bytes : null;
}

export const utf8 = new TextEncoder();

/** label's UTF-8 bytes followed by `tail` (the "label || bytes" of PROTOCOL.md). */
export function concat(label: string, tail: Uint8Array): Uint8Array {
  const head = utf8.encode(label);
  const out = new Uint8Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  return out;
}

/** Byte-order comparison of two strings' UTF-8 (what C++ std::string's < does). */
export function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = (x[i] as number) - (y[i] as number);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Byte-order comparison of two byte strings. */
export function compareBytes(x: Uint8Array, y: Uint8Array): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = (x[i] as number) - (y[i] as number);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

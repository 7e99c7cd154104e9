// The length-prefixed encoding of PROTOCOL.md ("End-to-end encryption", Encoding): num(n) is n
// as 8 bytes big-endian; str(s) and bin(b) are the length as a num, then the bytes.
import { utf8 } from './sodium';

export class Encoder {
  private parts: Uint8Array[] = [];
  private size = 0;

  num(n: number | bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(n));
    return this.push(b);
  }

  bin(bytes: Uint8Array): this {
    this.num(bytes.length);
    return this.push(bytes);
  }

  str(text: string): this {
    return this.bin(utf8.encode(text));
  }

  result(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  private push(bytes: Uint8Array): this {
    this.parts.push(bytes);
    this.size += bytes.length;
    return this;
  }
}

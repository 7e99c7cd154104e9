// One WebSocket connection to liaise-server (/v1 on the page's own origin): requests with ids,
// replies matched by `re`, events handed to a listener (PROTOCOL.md, "Frames").
export type Json = Record<string, unknown>;

export class ProtocolError extends Error {
  constructor(readonly code: string, message: string, readonly reply: Json = {}) {
    super(message);
  }
}

/** The server's WebSocket address for a page served by it. */
export function serverUrl(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/v1`;
}

export class Connection {
  private socket: WebSocket;
  private nextId = 1;
  private pending = new Map<string, { resolve: (r: Json) => void; reject: (e: Error) => void }>();
  private opened: Promise<void>;

  /** `onEvent` gets every event; `onClose` once, when the connection ends for any reason. */
  constructor(url: string, private onEvent: (e: Json) => void, private onClose: (why: string) => void) {
    this.socket = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener('open', () => resolve(), { once: true });
      this.socket.addEventListener('error', () =>
        reject(new ProtocolError('connection_failed', 'The Liaise server cannot be reached.')), { once: true });
    });
    this.socket.addEventListener('message', (m) => this.received(m.data));
    this.socket.addEventListener('close', (c) => {
      const why = c.reason || `closed (${c.code})`;
      for (const p of this.pending.values())
        p.reject(new ProtocolError('connection_closed', 'The connection to the server was lost.'));
      this.pending.clear();
      this.onClose(why);
    });
  }

  ready(): Promise<void> {
    return this.opened;
  }

  /** Whether the socket is open (false once it has closed or failed). */
  isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends a request and resolves with its ok reply; an error reply rejects with ProtocolError. */
  async request(type: string, fields: Json = {}, timeoutMs = 30000): Promise<Json> {
    await this.opened;
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ProtocolError('timeout', 'The server did not answer in time.'));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.socket.send(JSON.stringify({ type, id, ...fields }));
    });
  }

  close(): void {
    this.socket.close(1000);
  }

  private received(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: Json;
    try {
      frame = JSON.parse(data) as Json;
    } catch {
      return;
    }
    if (typeof frame.re === 'string') {
      const p = this.pending.get(frame.re);
      if (!p) return;
      this.pending.delete(frame.re);
      if (frame.type === 'error')
        p.reject(new ProtocolError(String(frame.code), String(frame.message ?? frame.code), frame));
      else p.resolve(frame);
      return;
    }
    this.onEvent(frame);
  }
}

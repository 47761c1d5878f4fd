import type { MessageTransport } from '../session';

/// Two connected in-memory transports: what one sends, the other receives, in order.
/// `close` on either ends both. No network, no timers.
export function transportPair(): [MessageTransport & { inject(bytes: Uint8Array): void }, MessageTransport & { inject(bytes: Uint8Array): void }] {
  const a = new Endpoint();
  const b = new Endpoint();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class Endpoint implements MessageTransport {
  peer!: Endpoint;
  private queue: Uint8Array[] = [];
  private waiting: ((value: IteratorResult<Uint8Array>) => void) | null = null;
  private ended = false;

  async send(bytes: Uint8Array): Promise<void> {
    if (this.ended) throw new Error('closed');
    this.peer.deliver(bytes.slice());
  }

  /// Puts bytes into this end's incoming stream as if the peer had sent them.
  inject(bytes: Uint8Array): void {
    this.deliver(bytes);
  }

  close(): void {
    this.end();
    this.peer.end();
  }

  readonly incoming: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: () =>
        new Promise<IteratorResult<Uint8Array>>((resolve) => {
          const next = this.queue.shift();
          if (next) resolve({ value: next, done: false });
          else if (this.ended) resolve({ value: undefined, done: true });
          else this.waiting = resolve;
        }),
    }),
  };

  private deliver(bytes: Uint8Array): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: bytes, done: false });
    } else this.queue.push(bytes);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: undefined, done: true });
    }
  }
}

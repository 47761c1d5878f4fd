import { WebSocket as NodeWebSocket } from 'ws';

// libp2p 3 uses Promise.withResolvers, which Node 20 lacks (Node 22 and browsers have it).
// Imported first by whatever runs libp2p in Node.
interface WithResolvers {
  withResolvers?: <T>() => { promise: Promise<T>; resolve: (value: T | PromiseLike<T>) => void; reject: (reason?: unknown) => void };
}
const P = Promise as unknown as WithResolvers;
P.withResolvers ??= <T>() => {
  let resolve!: (value: T | PromiseLike<T>) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

// Node 20 has no global WebSocket; libp2p's WebSockets transport dials with it.
const G = globalThis as { WebSocket?: unknown };
G.WebSocket ??= NodeWebSocket;

/// A Web Lock held until `release` is called (or the context that took it ends).
export interface Lease {
  release(): void;
}

/// Requests Web Lock `name` in exclusive mode. Resolves with a lease once granted; with
/// `ifAvailable`, resolves with null at once when another context holds it. Rejects with an
/// AbortError if `signal` aborts first.
export function acquireLock(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal } = {}): Promise<Lease | null> {
  return new Promise((resolve, reject) => {
    const request = options.ifAvailable ? { ifAvailable: true } : options.signal ? { signal: options.signal } : {};
    navigator.locks
      .request(name, request, (lock) => {
        if (!lock) {
          resolve(null);
          return undefined;
        }
        return new Promise<void>((release) => resolve({ release: () => release() }));
      })
      .catch(reject);
  });
}

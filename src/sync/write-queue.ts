/// Runs tasks one after another. Every write of a replica goes through one queue, so that a
/// flush can never interleave with a compaction (DESIGN.md, trap 1): each task encodes its
/// bytes inside its own turn.
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /// Resolves when every task queued so far has finished.
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}

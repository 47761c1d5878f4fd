/// Moments of the storage worker's start (when it began, when the OPFS pool, the wasm and the
/// database were ready), as epoch milliseconds: the worker's clock has its own origin. The
/// open call returns them and the page turns them into performance marks (notes:worker-*),
/// so that a slow start can be told apart from a slow page.
const marks: [string, number][] = [];

export function markStartup(name: string): void {
  if (marks.length < 32) marks.push([name, performance.timeOrigin + performance.now()]);
}

export function startupMarks(): readonly (readonly [string, number])[] {
  return [...marks];
}

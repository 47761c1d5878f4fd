import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/// A keystroke trace from ../shared/traces: patches are [position, deleted, inserted],
/// positions in Unicode code points.
export interface Trace {
  readonly name: string;
  readonly startContent: string;
  readonly endContent: string;
  /// Patches grouped by transaction, positions converted to UTF-16 units (what Yjs counts).
  readonly txns: readonly (readonly [number, number, string][])[];
}

export function tracesDir(): string {
  return process.env.TRACES_DIR ?? path.resolve(import.meta.dirname, '../../shared/traces');
}

export function loadTrace(name: string): Trace {
  const raw = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(tracesDir(), `${name}.json.gz`))).toString('utf8')) as {
    startContent: string;
    endContent: string;
    txns: { patches: [number, number, string][] }[];
  };
  // Replay on a code-point array once to convert positions; most traces are BMP-only, where
  // the two agree, but this keeps astral characters honest.
  const astral = /[\u{10000}-\u{10FFFF}]/u.test(raw.endContent) || raw.txns.some((t) => t.patches.some((p) => /[\u{10000}-\u{10FFFF}]/u.test(p[2])));
  let doc = astral ? Array.from(raw.startContent) : null;
  const txns = raw.txns.map((t) =>
    t.patches.map(([pos, del, ins]): [number, number, string] => {
      if (!doc) return [pos, del, ins];
      const unitPos = doc.slice(0, pos).join('').length;
      const unitDel = doc.slice(pos, pos + del).join('').length;
      doc.splice(pos, del, ...Array.from(ins));
      return [unitPos, unitDel, ins];
    }),
  );
  doc = null;
  return { name, startContent: raw.startContent, endContent: raw.endContent, txns };
}

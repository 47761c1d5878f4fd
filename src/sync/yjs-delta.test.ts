import fc from 'fast-check';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { currentStateVector, encodeDeltaV2 } from './yjs-delta';

type Edit = { kind: 'insert'; at: number; text: string } | { kind: 'delete'; at: number; length: number } | { kind: 'format'; at: number; length: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 5 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('format' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 4 }) }),
);

function apply(text: Y.Text, e: Edit): void {
  const at = text.length === 0 ? 0 : e.at % (text.length + 1);
  if (e.kind === 'insert') text.insert(at, e.text);
  else if (text.length > 0 && e.kind === 'delete') text.delete(Math.min(at, text.length - 1), Math.min(e.length, text.length - Math.min(at, text.length - 1)));
  else if (text.length > 0) text.format(Math.min(at, text.length - 1), e.length, { bold: true });
}

describe('encodeDeltaV2', () => {
  it('deltas sealed at arbitrary points rebuild the document exactly, also with remote edits in between', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(edit, { maxLength: 6 }), { minLength: 1, maxLength: 12 }),
        fc.array(edit, { maxLength: 6 }),
        (batches, remoteEdits) => {
          const doc = new Y.Doc();
          doc.clientID = 1;
          const text = doc.getText('t');
          // Content from another client that this doc received: deletions of it count too.
          const remote = new Y.Doc();
          remote.clientID = 2;
          for (const e of remoteEdits) apply(remote.getText('t'), e);
          const remoteUpdate = Y.encodeStateAsUpdateV2(remote);
          Y.applyUpdateV2(doc, remoteUpdate, 'remote');

          let sealedAt = currentStateVector(doc);
          let deletions: Y.Transaction['deleteSet'][] = [];
          doc.on('afterTransaction', (tr: Y.Transaction) => {
            if (tr.origin !== 'remote' && tr.deleteSet.clients.size > 0) deletions.push(tr.deleteSet);
          });
          const deltas: Uint8Array[] = [];
          for (const batch of batches) {
            for (const e of batch) doc.transact(() => apply(text, e));
            const delta = encodeDeltaV2(doc, sealedAt, deletions);
            if (delta) deltas.push(delta);
            sealedAt = currentStateVector(doc);
            deletions = [];
          }

          const rebuilt = new Y.Doc();
          Y.applyUpdateV2(rebuilt, remoteUpdate);
          // In any order: Yjs holds back what is early until its dependencies arrive.
          for (const delta of [...deltas].reverse()) Y.applyUpdateV2(rebuilt, delta);
          expect(rebuilt.getText('t').toDelta()).toEqual(text.toDelta());
          expect(rebuilt.store.pendingStructs).toBeNull();
          expect(rebuilt.store.pendingDs).toBeNull();
          expect(Y.encodeStateVector(rebuilt)).toEqual(Y.encodeStateVector(doc));
          // Merged, the deltas equal what Yjs itself encodes for the same span.
          if (deltas.length > 0) {
            const fromYjs = new Y.Doc();
            Y.applyUpdateV2(fromYjs, remoteUpdate);
            Y.applyUpdateV2(fromYjs, Y.mergeUpdatesV2(deltas));
            expect(fromYjs.getText('t').toDelta()).toEqual(text.toDelta());
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('returns null when nothing changed', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'x');
    expect(encodeDeltaV2(doc, currentStateVector(doc), [])).toBeNull();
  });
});

import { memo, useCallback, useSyncExternalStore } from 'react';
import { useNetwork } from '../runtime/network-context';
import { peopleOf } from './people';

/// Who else is in this notebook now. The network's status changes with every ack while
/// people type; the list re-renders only when who is here (or how) changes: its snapshot is
/// a string, which React compares by value.
export const PresenceList = memo(function PresenceList({ notebookId }: { notebookId: string }) {
  const network = useNetwork();
  const snapshot = useCallback(() => JSON.stringify(peopleOf(network.peersOf(notebookId))), [network, notebookId]);
  const people = JSON.parse(useSyncExternalStore(network.subscribe, snapshot)) as ReturnType<typeof peopleOf>;
  if (people.length === 0) return null;
  return (
    <ul className="presence" aria-label="People here">
      {people.map((p) => (
        <li key={p.key} className="presence__person" title={`${p.name} (${p.route === 'direct' ? 'direct connection' : 'through the relay'})`}>
          <span className="presence__dot" style={{ background: p.color }} aria-hidden="true" />
          {p.name}
        </li>
      ))}
    </ul>
  );
});

import { memo } from 'react';
import { useNetwork, useNetworkStatus } from '../runtime/network-context';
import { peopleOf } from './people';

/// Who else is in this notebook now.
export const PresenceList = memo(function PresenceList({ notebookId }: { notebookId: string }) {
  const network = useNetwork();
  useNetworkStatus();
  const people = peopleOf(network.peersOf(notebookId));
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

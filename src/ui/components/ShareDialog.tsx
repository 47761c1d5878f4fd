import { useEffect, useState } from 'react';
import { encodePeerLink, notebookKey, setKeepOnCloud, shareNotebook } from '../../notes/sharing';
import { useLiveQuery, useRuntime } from '../runtime/context';
import { useNetwork, useNetworkStatus } from '../runtime/network-context';
import { Dialog } from './Dialog';
import { peopleOf } from './people';

/// Shares the notebook: a peer link (the secret travels in its fragment, which browsers
/// never send to a server), as text to copy and as a QR code for a phone's camera.
export function ShareDialog({ notebookId, onClose }: { notebookId: string; onClose: () => void }) {
  const { replica } = useRuntime();
  const network = useNetwork();
  useNetworkStatus();
  const [name] = useLiveQuery<{ name: string }>('SELECT name FROM notebooks WHERE id = ?', [notebookId], ['notebooks'], { text: false }) ?? [];
  const [link, setLink] = useState<string | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [keep, setKeep] = useState(true);
  const [copied, setCopied] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!name) return;
    let live = true;
    void (async () => {
      try {
        const key = await shareNotebook(replica, notebookId, [...(await network.originPeers()), ...network.extraPeers()]);
        const url = encodePeerLink(new URL('/', location.href).toString(), { notebookId, secret: key.secret, name: name.name, bootstrap: key.bootstrap });
        if (!live) return;
        setKeep(key.keepOnCloud);
        setLink(url);
        // The QR encoder loads only when someone shares.
        const { default: QRCode } = await import('qrcode');
        if (live) setQr(await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }));
        void network.refresh();
        if (key.bootstrap.length === 0) setProblem('No cloud peer is known yet: the link works between devices that reach each other some other way.');
      } catch (error) {
        if (live) setProblem(`The notebook could not be shared: ${error instanceof Error ? error.message : String(error)}`);
      }
    })();
    return () => {
      live = false;
    };
  }, [replica, network, notebookId, name]);

  const people = peopleOf(network.peersOf(notebookId));
  return (
    <Dialog title={`Share “${name?.name ?? 'notebook'}”`} open onClose={onClose}>
      <p>Anyone with this link can read and edit this notebook. Send it only to the people you share it with.</p>
      <label className="share__field">
        Peer link
        <input type="text" readOnly aria-label="Peer link" value={link ?? ''} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <div className="share__actions">
        <button
          type="button"
          disabled={!link}
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(link!);
              setCopied('Link copied.');
            } catch {
              setCopied('Copying was not allowed here: select the link and copy it.');
            }
          }}
        >
          Copy link
        </button>
        <span role="status">{copied}</span>
      </div>
      {qr ? <div className="share__qr" role="img" aria-label="QR code of the peer link" dangerouslySetInnerHTML={{ __html: qr }} /> : null}
      <label className="share__keep">
        <input
          type="checkbox"
          checked={keep}
          onChange={async (e) => {
            const value = e.currentTarget.checked;
            setKeep(value);
            const existing = await notebookKey(replica, notebookId);
            if (existing) await setKeepOnCloud(replica, notebookId, value);
          }}
        />
        Keep a copy on the cloud peer
      </label>
      <p className="share__hint">The cloud peer relays between your devices and keeps the notebook for devices that come online later. It is a peer like any other: without it, devices that reach each other still sync.</p>
      {problem ? <p role="alert">{problem}</p> : null}
      <h3>Here now</h3>
      {people.length === 0 ? <p>Nobody else is connected to this notebook right now.</p> : (
        <ul aria-label="People in this notebook">
          {people.map((p) => (
            <li key={p.key}>
              <span className="presence__dot" style={{ background: p.color }} aria-hidden="true" /> {p.name}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}

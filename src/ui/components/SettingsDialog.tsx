import { memo, useEffect, useRef, useState } from 'react';
import { useRuntime } from '../runtime/context';
import { LOOSE_MARKDOWN_NOTEBOOK, useYourData } from '../runtime/data';
import { useNetwork } from '../runtime/network-context';
import { Dialog } from './Dialog';

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}

/// Where the notes are kept, whether the browser promised to keep them, and the person's
/// data to take out or bring in.
export const SettingsDialog = memo(function SettingsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { storage } = useRuntime();
  const [persisted, setPersisted] = useState<boolean | null>(null);
  const [estimate, setEstimate] = useState<{ usage: number; quota: number } | null>(null);
  useEffect(() => {
    if (!open) return;
    void storage.persist().then(setPersisted, () => setPersisted(false));
    void storage.estimate().then(
      (e) => setEstimate({ usage: e.usage ?? 0, quota: e.quota ?? 0 }),
      () => setEstimate(null),
    );
  }, [open, storage]);
  return (
    <Dialog title="Settings" open={open} onClose={onClose}>
      <section aria-label="Storage" className="settings">
        <h3>Storage on this device</h3>
        <dl>
          <dt>Kept in</dt>
          <dd>{storage.storageKind === 'opfs' ? 'The browser’s private file system (OPFS)' : 'IndexedDB (slower fallback)'}</dd>
          <dt>Persistent storage</dt>
          <dd>{persisted === null ? 'Asking…' : persisted ? 'Granted: the browser will not clear your notes to free space' : 'Not granted'}</dd>
          <dt>Used</dt>
          <dd>{estimate ? `${formatBytes(estimate.usage)} of ${formatBytes(estimate.quota)} available` : '—'}</dd>
        </dl>
        {persisted === false ? (
          <p role="alert" className="warning">
            The browser may clear this site’s storage when space runs low. Install the app, or keep a backup, so your notes are not lost.
          </p>
        ) : null}
      </section>
      <CloudPeers />
      <YourData />
    </Dialog>
  );
});

/// Cloud peers to meet shared notebooks' peers through, besides this app's own.
function CloudPeers() {
  const network = useNetwork();
  const [text, setText] = useState(() => network.extraPeers().join('\n'));
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <section aria-label="Cloud peers" className="settings">
      <h3>Cloud peers</h3>
      <p>Shared notebooks sync through this app’s own cloud peer and the ones in their peer links. Add others (your own, say), one libp2p address per line.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const result = network.setExtraPeers(text.split('\n'));
          setText(result.accepted.join('\n'));
          setSaved(result.refused.length ? `Saved. Not addresses, left out: ${result.refused.join(', ')}` : 'Saved.');
        }}
      >
        <textarea aria-label="Cloud peers" rows={3} value={text} onChange={(e) => setText(e.target.value)} placeholder="/dns4/peer.example.org/tcp/443/wss/p2p/12D3KooW…" />
        <button type="submit">Save cloud peers</button>
        <span role="status">{saved}</span>
      </form>
    </section>
  );
}

/// The whole database as a file, the notes as Markdown, and importing either.
function YourData() {
  const data = useYourData();
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const pick = (input: HTMLInputElement) => {
    data.importFiles([...(input.files ?? [])]);
    // Picking the same file again must fire `change` again.
    input.value = '';
  };
  return (
    <section aria-label="Your data" className="settings">
      <h3>Your data</h3>
      <p>Your notes are yours. Take them anywhere, and bring them back:</p>
      <ul>
        <li>
          <strong>Download database</strong>: everything, as one SQLite file that any SQLite tool opens. Import it on another device to bring all
          your notes there, still able to sync.
        </li>
        <li>
          <strong>Export Markdown</strong>: a zip with a folder per notebook and a Markdown file per note, for Obsidian, Bear or any editor.
        </li>
        <li>
          <strong>Import</strong> a database file (merged with your notes as if the two devices had synced, so nothing is doubled; notes deleted
          there are deleted here too), a zip of Markdown or Markdown files. Markdown goes into the notebook its front matter or folder names, or one
          named after the zip (“{LOOSE_MARKDOWN_NOTEBOOK}” for single files); notes you have already are skipped.
        </li>
      </ul>
      <div className="settings__actions">
        <button type="button" disabled={data.busy} onClick={data.download}>
          Download database
        </button>
        <button type="button" disabled={data.busy} onClick={data.exportMarkdown}>
          Export Markdown
        </button>
        <button type="button" disabled={data.busy} onClick={() => files.current?.click()}>
          Import
        </button>
        <button type="button" disabled={data.busy} onClick={() => folder.current?.click()}>
          Markdown folder…
        </button>
        <input ref={files} type="file" hidden multiple accept=".sqlite,.sqlite3,.db,.zip,.md,.markdown,.txt" onChange={(e) => pick(e.currentTarget)} />
        <input ref={folder} type="file" hidden {...{ webkitdirectory: '' }} onChange={(e) => pick(e.currentTarget)} />
      </div>
      <p role="status" aria-busy={data.busy}>
        {data.status}
      </p>
      {data.error ? (
        <p role="alert" className="warning">
          {data.error}
        </p>
      ) : null}
    </section>
  );
}

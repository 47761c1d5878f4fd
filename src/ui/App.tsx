import { useCallback, useEffect, useRef, useState } from 'react';
import { readDatabaseFile, StorageOpenError } from '../storage/browser';
import { Shell } from './components/Shell';
import { publishDevice } from './identity/devices';
import { saveIdentity } from './identity/keystore';
import { Onboarding } from './identity/Onboarding';
import { registerServiceWorker, type UpdateHandle } from './pwa/register';
import { decodePeerLink, joinNotebook, PeerLinkError, type PeerLink } from '../notes/sharing';
import type { AppRuntime } from './runtime/boot';
import { openApp, type Me } from './runtime/open';
import { NOTES_DATABASE } from './runtime/storage';
import { RuntimeProvider } from './runtime/context';
import { AppNetwork } from './runtime/network';
import { NetworkProvider } from './runtime/network-context';

const PENDING_JOIN = 'notes-pending-join';

/// A peer link in the address is taken out of it at once (so it is not left in history or
/// bookmarks) and kept for this tab until the notebook is joined, after onboarding if need be.
function takePeerLinkFromAddress(): { link: PeerLink | null; error: string | null } {
  try {
    const fromAddress = decodePeerLink(location.hash);
    if (fromAddress) {
      sessionStorage.setItem(PENDING_JOIN, location.hash);
      history.replaceState(null, '', location.pathname + location.search);
    }
    const pending = sessionStorage.getItem(PENDING_JOIN);
    return { link: pending ? decodePeerLink(pending) : null, error: null };
  } catch (error) {
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    sessionStorage.removeItem(PENDING_JOIN);
    return { link: null, error: error instanceof PeerLinkError ? error.message : 'the peer link could not be read' };
  }
}

type Boot = { state: 'opening' } | { state: 'ready'; runtime: AppRuntime; me: Me | null } | { state: 'failed'; error: unknown };

/// Opens the notes, and never leaves a blank screen: a failure says what happened and
/// offers a way out.
/// `opening` was started before the interface loaded; Retry after a failure opens again.
export function App({ opening }: { opening: ReturnType<typeof openApp> }) {
  const [boot, setBoot] = useState<Boot>({ state: 'opening' });
  const attempt = useRef(opening);
  const follow = useCallback(() => {
    setBoot({ state: 'opening' });
    attempt.current.then(
      ({ runtime, me }) => setBoot({ state: 'ready', runtime, me }),
      (error: unknown) => setBoot({ state: 'failed', error }),
    );
  }, []);
  useEffect(follow, [follow]);
  const retry = useCallback(() => {
    attempt.current = openApp();
    follow();
  }, [follow]);
  const [pendingLink] = useState(takePeerLinkFromAddress);
  const [joined, setJoined] = useState<{ notebookId: string; error: string | null } | null>(null);
  const [network, setNetwork] = useState<AppNetwork | null>(null);

  // The network starts once there is someone to sync as, and joins a pending peer link.
  const runtimeForNetwork = boot.state === 'ready' ? boot.runtime : null;
  const meForNetwork = boot.state === 'ready' ? boot.me : null;
  useEffect(() => {
    if (!runtimeForNetwork || !meForNetwork) return;
    const net = new AppNetwork(runtimeForNetwork.replica, meForNetwork);
    net.start();
    setNetwork(net);
    const link = pendingLink.link;
    if (link) {
      joinNotebook(runtimeForNetwork.replica, link).then(
        () => {
          sessionStorage.removeItem(PENDING_JOIN);
          setJoined({ notebookId: link.notebookId, error: null });
          void net.refresh();
        },
        (error: unknown) => setJoined({ notebookId: link.notebookId, error: error instanceof Error ? error.message : String(error) }),
      );
    }
    return () => {
      setNetwork(null);
      void net.stop();
    };
  }, [runtimeForNetwork, meForNetwork, pendingLink]);

  // A new version waits until the person says so, and then everything is saved first.
  const [update, setUpdate] = useState<UpdateHandle | null>(null);
  const runtimeRef = useRef<AppRuntime | null>(null);
  runtimeRef.current = boot.state === 'ready' ? boot.runtime : null;
  useEffect(() => registerServiceWorker(setUpdate, async () => runtimeRef.current?.replica.flush()), []);
  const prompt = update ? (
    <div className="update-prompt" role="alert" aria-label="Update available">
      A new version of Notes is ready.
      <button type="button" onClick={() => void update.apply()}>
        Reload
      </button>
    </div>
  ) : null;

  if (boot.state === 'ready') {
    const { runtime, me } = boot;
    if (!me) {
      return (
        <Onboarding
          onDone={async (identity) => {
            const { wrapped } = await saveIdentity(identity);
            await publishDevice(runtime.replica, identity.certificate);
            setBoot({ state: 'ready', runtime, me: { ...identity, wrapped } });
          }}
        />
      );
    }
    if (!network) return <main className="boot" aria-busy="true" />;
    const linkProblem = pendingLink.error ?? joined?.error ?? null;
    return (
      <RuntimeProvider runtime={runtime}>
        <NetworkProvider network={network}>
          <Shell me={me} joinedNotebook={joined?.error === null ? joined.notebookId : null} />
          {linkProblem ? (
            <p className="link-problem" role="alert">
              This peer link could not be used: {linkProblem}
            </p>
          ) : null}
          {prompt}
        </NetworkProvider>
      </RuntimeProvider>
    );
  }
  if (boot.state === 'opening') {
    return (
      <main className="boot" aria-busy="true">
        <p>Opening your notes…</p>
      </main>
    );
  }
  return <OpenFailed error={boot.error} onRetry={retry} />;
}

const ADVICE: Record<string, string> = {
  corrupt: 'The notes database on this device is damaged.',
  'not-a-database': 'The stored file is not a notes database.',
  full: 'This device has no space left for the notes.',
  locked: 'Another window is holding the notes and did not answer.',
  unavailable: 'This browser would not open the notes storage.',
};

function OpenFailed({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const kind = error instanceof StorageOpenError ? error.kind : 'unavailable';
  const [exportNote, setExportNote] = useState<string | null>(null);
  return (
    <main className="boot boot--failed">
      <h1>Your notes could not be opened</h1>
      <p role="alert">
        {ADVICE[kind] ?? 'Something went wrong while opening the notes.'} {error instanceof Error ? `(${error.message})` : null}
      </p>
      <p>Nothing has been deleted. You can try again, or save a copy of the raw database file to recover what can be read.</p>
      <div className="boot__actions">
        <button type="button" onClick={onRetry}>
          Retry
        </button>
        <button
          type="button"
          onClick={async () => {
            try {
              const bytes = await readDatabaseFile(NOTES_DATABASE);
              const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/vnd.sqlite3' }));
              const a = document.createElement('a');
              a.href = url;
              a.download = 'notes-recovered.sqlite';
              a.click();
              setTimeout(() => URL.revokeObjectURL(url), 10_000);
              setExportNote(`Saved ${bytes.byteLength} bytes.`);
            } catch (e) {
              setExportNote(`The file could not be read either: ${e instanceof Error ? e.message : String(e)}`);
            }
          }}
        >
          Export what can be read
        </button>
      </div>
      {exportNote ? <p role="status">{exportNote}</p> : null}
    </main>
  );
}

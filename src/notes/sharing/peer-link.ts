import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { NOTEBOOK_SECRET_BYTES } from './keys';

/// What a peer link carries, in its URL fragment only (browsers never send the fragment to
/// a server): the notebook, its secret, its name for the joining screen, and the cloud
/// peers through which its peers meet.
export interface PeerLink {
  readonly notebookId: string;
  readonly secret: Uint8Array;
  readonly name: string;
  readonly bootstrap: readonly string[];
}

export class PeerLinkError extends Error {
  override readonly name = 'PeerLinkError';
}

const LINK_VERSION = 1;
const FRAGMENT_KEY = 'join';
const MAX_LINK_CHARS = 4096;

/// `base` is the app's own URL; the result is it with `#join=<payload>`.
export function encodePeerLink(base: string, link: PeerLink): string {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, LINK_VERSION);
  encoding.writeVarString(e, link.notebookId);
  encoding.writeUint8Array(e, link.secret);
  encoding.writeVarString(e, link.name);
  encoding.writeVarUint(e, link.bootstrap.length);
  for (const addr of link.bootstrap) encoding.writeVarString(e, addr);
  const url = new URL(base);
  url.hash = `${FRAGMENT_KEY}=${toBase64Url(encoding.toUint8Array(e))}`;
  return url.toString();
}

/// The link in a URL (or its fragment), null when it carries none; a damaged link throws
/// PeerLinkError saying what is wrong.
export function decodePeerLink(urlOrFragment: string): PeerLink | null {
  const fragment = urlOrFragment.includes('#') ? urlOrFragment.slice(urlOrFragment.indexOf('#') + 1) : urlOrFragment;
  const params = new URLSearchParams(fragment);
  const payload = params.get(FRAGMENT_KEY);
  if (payload === null) return null;
  if (payload.length > MAX_LINK_CHARS) throw new PeerLinkError('the peer link is too long');
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(payload);
  } catch {
    throw new PeerLinkError('the peer link is damaged (not base64url)');
  }
  try {
    const d = decoding.createDecoder(bytes);
    const version = decoding.readVarUint(d);
    if (version !== LINK_VERSION) throw new PeerLinkError(`this peer link is version ${version}; this app reads version ${LINK_VERSION}${version > LINK_VERSION ? ' (update the app)' : ''}`);
    const notebookId = decoding.readVarString(d);
    const secret = decoding.readUint8Array(d, NOTEBOOK_SECRET_BYTES).slice();
    const name = decoding.readVarString(d);
    const count = decoding.readVarUint(d);
    if (count > 16) throw new PeerLinkError('the peer link lists too many peers');
    const bootstrap = Array.from({ length: count }, () => decoding.readVarString(d));
    if (d.pos !== bytes.byteLength) throw new PeerLinkError('the peer link has trailing bytes');
    if (!/^[0-9a-zA-Z-]{1,64}$/.test(notebookId)) throw new PeerLinkError('the peer link names no valid notebook');
    return { notebookId, secret, name: name.slice(0, 200), bootstrap };
  } catch (error) {
    if (error instanceof PeerLinkError) throw error;
    throw new PeerLinkError('the peer link is damaged (cut short?)');
  }
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

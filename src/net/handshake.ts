import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { MAX_CERTIFICATE_BYTES, verifyDeviceCertificate, type DeviceCertificate } from '../identity';
import type { MessageTransport } from '../sync';

/// Version of the notebook handshake (and of the messages after it: the sync session's
/// own hello carries its protocol and schema versions).
export const HANDSHAKE_VERSION = 1;

/// What a stream is for, once the peers have proved they share the notebook.
export const Purpose = { sync: 1, members: 2 } as const;
export type Purpose = (typeof Purpose)[keyof typeof Purpose];

export type HandshakeErrorCode = 'unknown-notebook' | 'bad-proof' | 'bad-certificate' | 'version' | 'malformed' | 'timeout' | 'closed' | 'refused';

/// Why a handshake failed. Nothing about the notebook was sent to the other side.
export class HandshakeError extends Error {
  constructor(
    readonly code: HandshakeErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'HandshakeError';
  }
}

/// The verified other side: its device certificate matched the key the connection was
/// authenticated with (noise), and its proof showed it holds the notebook secret.
export interface VerifiedPeer {
  readonly certificate: DeviceCertificate;
  readonly encodedCertificate: Uint8Array;
}

/// What each side of a connection knows of it; the peer ids are the libp2p ids (bytes),
/// the remote device key is the Ed25519 key noise authenticated.
export interface ConnectionFacts {
  readonly localPeerId: Uint8Array;
  readonly remotePeerId: Uint8Array;
  readonly remoteDeviceKey: Uint8Array;
  /// This device's encoded certificate.
  readonly certificate: Uint8Array;
  readonly randomBytes?: (n: number) => Uint8Array;
  readonly timeoutMs?: number;
}

/// Keys derived from a notebook secret: `tag` names the notebook on the wire without
/// revealing it (a side that lacks the secret learns nothing from it), `auth` keys the proofs.
export function notebookKeys(secret: Uint8Array): { tag: Uint8Array; auth: Uint8Array } {
  const label = (what: string) => new TextEncoder().encode(`local-first-notes/v1/notebook-${what}`);
  return { tag: hkdf(sha256, secret, undefined, label('tag'), 32), auth: hkdf(sha256, secret, undefined, label('auth'), 32) };
}

const NONCE_BYTES = 32;
const Tag = { hello: 1, challenge: 2, proof: 3, refused: 4 } as const;
const MAX_HANDSHAKE_MESSAGE = 1024 + MAX_CERTIFICATE_BYTES;

/// The initiator's side: proves it holds `secret`, checks the responder does, and returns the
/// responder's verified certificate. The transport then carries what `purpose` says.
export async function initiateHandshake(io: MessageTransport, facts: ConnectionFacts, secret: Uint8Array, purpose: Purpose): Promise<VerifiedPeer> {
  const random = facts.randomBytes ?? ((n: number) => crypto.getRandomValues(new Uint8Array(n)));
  const { tag, auth } = notebookKeys(secret);
  const nonceI = random(NONCE_BYTES);
  await io.send(encode((e) => {
    encoding.writeUint8(e, Tag.hello);
    encoding.writeVarUint(e, HANDSHAKE_VERSION);
    encoding.writeVarUint(e, purpose);
    encoding.writeUint8Array(e, tag);
    encoding.writeUint8Array(e, nonceI);
  }));
  const reply = await readOne(io, facts.timeoutMs);
  const d = decoding.createDecoder(reply);
  const type = decoding.readUint8(d);
  if (type === Tag.refused) {
    const code = readRefusal(d);
    throw new HandshakeError(code.code, `the peer refused: ${code.message}`);
  }
  if (type !== Tag.challenge) throw new HandshakeError('malformed', `expected a challenge, got message ${type}`);
  const challenge = guard(() => ({ nonce: decoding.readUint8Array(d, NONCE_BYTES).slice(), cert: readBytes(d, MAX_CERTIFICATE_BYTES), proof: decoding.readUint8Array(d, 32).slice() }), d, reply);
  const transcript = { purpose, tag, initiator: facts.localPeerId, responder: facts.remotePeerId, nonceI, nonceR: challenge.nonce };
  const peer = verifyCertificateFor(challenge.cert, facts.remoteDeviceKey);
  if (!equal(challenge.proof, proofOf(auth, 'responder', transcript, [challenge.cert]))) {
    throw new HandshakeError('bad-proof', 'the peer does not hold this notebook\'s secret');
  }
  await io.send(encode((e) => {
    encoding.writeUint8(e, Tag.proof);
    encoding.writeVarUint8Array(e, facts.certificate);
    encoding.writeUint8Array(e, proofOf(auth, 'initiator', transcript, [challenge.cert, facts.certificate]));
  }));
  return peer;
}

/// The responder's side. `lookup` finds the secret of the notebook a tag names (null when
/// this side does not hold it: the initiator is told so and learns nothing else).
export async function respondToHandshake<T extends { secret: Uint8Array }>(
  io: MessageTransport,
  facts: ConnectionFacts,
  lookup: (tag: Uint8Array) => Promise<T | null>,
): Promise<{ notebook: T; purpose: Purpose; peer: VerifiedPeer }> {
  const random = facts.randomBytes ?? ((n: number) => crypto.getRandomValues(new Uint8Array(n)));
  const hello = await readOne(io, facts.timeoutMs);
  const d = decoding.createDecoder(hello);
  if (decoding.readUint8(d) !== Tag.hello) throw await refuse(io, 'malformed', 'the first message must be a hello');
  const version = guard(() => decoding.readVarUint(d), null, hello);
  if (version !== HANDSHAKE_VERSION) {
    throw await refuse(io, 'version', `handshake version ${version}, this peer speaks ${HANDSHAKE_VERSION}: ${version > HANDSHAKE_VERSION ? 'this peer is older' : 'the initiator is older'}`);
  }
  const { purpose, tag, nonceI } = guard(() => ({ purpose: decoding.readVarUint(d), tag: decoding.readUint8Array(d, 32).slice(), nonceI: decoding.readUint8Array(d, NONCE_BYTES).slice() }), d, hello);
  if (purpose !== Purpose.sync && purpose !== Purpose.members) throw await refuse(io, 'malformed', `unknown purpose ${purpose}`);
  const notebook = await lookup(tag);
  if (!notebook) throw await refuse(io, 'unknown-notebook', 'this peer does not hold that notebook');
  const { auth } = notebookKeys(notebook.secret);
  const nonceR = random(NONCE_BYTES);
  const transcript = { purpose, tag, initiator: facts.remotePeerId, responder: facts.localPeerId, nonceI, nonceR };
  await io.send(encode((e) => {
    encoding.writeUint8(e, Tag.challenge);
    encoding.writeUint8Array(e, nonceR);
    encoding.writeVarUint8Array(e, facts.certificate);
    encoding.writeUint8Array(e, proofOf(auth, 'responder', transcript, [facts.certificate]));
  }));
  const answer = await readOne(io, facts.timeoutMs);
  const a = decoding.createDecoder(answer);
  const type = decoding.readUint8(a);
  if (type === Tag.refused) throw new HandshakeError('refused', `the initiator gave up: ${readRefusal(a).message}`);
  if (type !== Tag.proof) throw new HandshakeError('malformed', `expected a proof, got message ${type}`);
  const { cert, proof } = guard(() => ({ cert: readBytes(a, MAX_CERTIFICATE_BYTES), proof: decoding.readUint8Array(a, 32).slice() }), a, answer);
  const peer = verifyCertificateFor(cert, facts.remoteDeviceKey);
  if (!equal(proof, proofOf(auth, 'initiator', transcript, [facts.certificate, cert]))) throw new HandshakeError('bad-proof', 'the initiator does not hold this notebook\'s secret');
  return { notebook, purpose: purpose as Purpose, peer };
}

interface Transcript {
  readonly purpose: number;
  readonly tag: Uint8Array;
  readonly initiator: Uint8Array;
  readonly responder: Uint8Array;
  readonly nonceI: Uint8Array;
  readonly nonceR: Uint8Array;
}

/// HMAC over everything both sides saw: a proof made for one connection (peer ids), one
/// exchange (both nonces) and one role is worthless anywhere else.
function proofOf(auth: Uint8Array, role: 'initiator' | 'responder', t: Transcript, certificates: readonly Uint8Array[]): Uint8Array {
  const message = encode((e) => {
    encoding.writeVarString(e, `local-first-notes/v1/notebook-proof/${role}`);
    encoding.writeVarUint(e, HANDSHAKE_VERSION);
    encoding.writeVarUint(e, t.purpose);
    encoding.writeVarUint8Array(e, t.tag);
    encoding.writeVarUint8Array(e, t.initiator);
    encoding.writeVarUint8Array(e, t.responder);
    encoding.writeVarUint8Array(e, t.nonceI);
    encoding.writeVarUint8Array(e, t.nonceR);
    for (const c of certificates) encoding.writeVarUint8Array(e, sha256(c));
  });
  return hmac(sha256, auth, message);
}

/// Checks a device certificate and that it certifies the key the connection authenticated.
export function verifyCertificateFor(encoded: Uint8Array, remoteDeviceKey: Uint8Array): VerifiedPeer {
  const verified = verifyDeviceCertificate(encoded);
  if (!verified.ok) throw new HandshakeError('bad-certificate', `the peer's device certificate is invalid (${verified.error.kind})`);
  if (!equal(verified.certificate.devicePublicKey, remoteDeviceKey)) throw new HandshakeError('bad-certificate', 'the certificate is for another device than the one connected');
  return { certificate: verified.certificate, encodedCertificate: encoded };
}

async function refuse(io: MessageTransport, code: HandshakeErrorCode, message: string): Promise<HandshakeError> {
  await io
    .send(encode((e) => {
      encoding.writeUint8(e, Tag.refused);
      encoding.writeVarString(e, code);
      encoding.writeVarString(e, message);
    }))
    .catch(() => undefined);
  return new HandshakeError(code, message);
}

function readRefusal(d: decoding.Decoder): { code: HandshakeErrorCode; message: string } {
  try {
    const code = decoding.readVarString(d);
    const message = decoding.readVarString(d).slice(0, 500);
    const known: HandshakeErrorCode[] = ['unknown-notebook', 'bad-proof', 'bad-certificate', 'version', 'malformed'];
    return { code: known.includes(code as HandshakeErrorCode) ? (code as HandshakeErrorCode) : 'refused', message };
  } catch {
    return { code: 'malformed', message: 'an unreadable refusal' };
  }
}

/// One message, within the timeout and the size cap.
async function readOne(io: MessageTransport, timeoutMs = 10_000): Promise<Uint8Array> {
  const iterator = io.incoming[Symbol.asyncIterator]();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HandshakeError('timeout', `no handshake message within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const next = await Promise.race([iterator.next(), timeout]);
    if (next.done) throw new HandshakeError('closed', 'the peer closed the stream during the handshake');
    if (next.value.byteLength > MAX_HANDSHAKE_MESSAGE) throw new HandshakeError('malformed', `a handshake message of ${next.value.byteLength} bytes`);
    if (next.value.byteLength === 0) throw new HandshakeError('malformed', 'an empty handshake message');
    return next.value;
  } finally {
    clearTimeout(timer);
  }
}

/// Decodes with `read`; truncated input, or bytes left over, is a malformed message.
function guard<T>(read: () => T, d: decoding.Decoder | null, bytes: Uint8Array): T {
  let value: T;
  try {
    value = read();
  } catch {
    throw new HandshakeError('malformed', 'a truncated handshake message');
  }
  if (d && d.pos !== bytes.byteLength) throw new HandshakeError('malformed', 'a handshake message with trailing bytes');
  return value;
}

function readBytes(d: decoding.Decoder, max: number): Uint8Array {
  const length = decoding.readVarUint(d);
  if (length > max) throw new Error('too long');
  return decoding.readUint8Array(d, length).slice();
}

function encode(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

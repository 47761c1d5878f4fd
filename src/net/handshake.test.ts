import { describe, expect, it } from 'vitest';
import { certifyDevice, createDeviceKey, encodeDeviceCertificate, identityKeyPairFromSecret } from '../identity';
import { transportPair } from '../sync/testing/memory-transport';
import { HandshakeError, initiateHandshake, notebookKeys, Purpose, respondToHandshake, type ConnectionFacts } from './handshake';

function person(name: string, seed: number) {
  const identity = identityKeyPairFromSecret(new Uint8Array(32).fill(seed));
  const device = createDeviceKey();
  const certificate = encodeDeviceCertificate(certifyDevice(identity, { devicePublicKey: device.publicKey, displayName: name, createdAt: 1 }));
  return { identity, device, certificate, peerId: new Uint8Array([0, 36, seed, ...device.publicKey]) };
}

type Person = ReturnType<typeof person>;
const facts = (me: Person, them: Person, extra: Partial<ConnectionFacts> = {}): ConnectionFacts => ({
  localPeerId: me.peerId,
  remotePeerId: them.peerId,
  remoteDeviceKey: them.device.publicKey,
  certificate: me.certificate,
  timeoutMs: 500,
  ...extra,
});

const secret = new Uint8Array(32).fill(7);
const lookupFor = (s: Uint8Array) => async (tag: Uint8Array) => (toHex(tag) === toHex(notebookKeys(s).tag) ? { secret: s, id: 'nb' } : null);
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('notebook handshake', () => {
  it('lets two holders of the secret verify each other and learn each other\'s certified identity', async () => {
    const alice = person('Alice', 1);
    const bob = person('Bob', 2);
    const [ta, tb] = transportPair();
    const [initiated, responded] = await Promise.all([
      initiateHandshake(ta, facts(alice, bob), secret, Purpose.sync),
      respondToHandshake(tb, facts(bob, alice), lookupFor(secret)),
    ]);
    expect(initiated.certificate.displayName).toBe('Bob');
    expect(responded.peer.certificate.displayName).toBe('Alice');
    expect(responded.notebook.id).toBe('nb');
    expect(responded.purpose).toBe(Purpose.sync);
  });

  it('tells a peer with the wrong secret only that the notebook is unknown, and sends no proof', async () => {
    const alice = person('Alice', 1);
    const bob = person('Bob', 2);
    const [ta, tb] = transportPair();
    const sent: Uint8Array[] = [];
    const spy = { ...tb, send: async (bytes: Uint8Array) => (sent.push(bytes), tb.send(bytes)), incoming: tb.incoming, close: tb.close.bind(tb) };
    const results = await Promise.allSettled([
      initiateHandshake(ta, facts(alice, bob), new Uint8Array(32).fill(8), Purpose.sync),
      respondToHandshake(spy, facts(bob, alice), lookupFor(secret)),
    ]);
    for (const r of results) expect(r.status === 'rejected' && (r.reason as HandshakeError).code).toBe('unknown-notebook');
    expect(sent).toHaveLength(1); // the refusal, nothing else
    expect(sent[0]![0]).toBe(4);
  });

  it('refuses a responder that does not hold the secret but answers anyway', async () => {
    const alice = person('Alice', 1);
    const mallory = person('Mallory', 3);
    const [ta, tb] = transportPair();
    // Mallory accepts any tag and proves with a secret of her own.
    const results = await Promise.allSettled([
      initiateHandshake(ta, facts(alice, mallory), secret, Purpose.sync),
      respondToHandshake(tb, facts(mallory, alice), async () => ({ secret: new Uint8Array(32).fill(9) })),
    ]);
    expect(results[0].status === 'rejected' && (results[0].reason as HandshakeError).code).toBe('bad-proof');
  });

  it('refuses a replayed proof: the responder\'s fresh nonce makes the old one worthless', async () => {
    const alice = person('Alice', 1);
    const bob = person('Bob', 2);
    // Record Alice's messages in a real exchange.
    const [ta, tb] = transportPair();
    const recorded: Uint8Array[] = [];
    const tap = { send: async (b: Uint8Array) => (recorded.push(b), ta.send(b)), incoming: ta.incoming, close: () => ta.close() };
    await Promise.all([initiateHandshake(tap, facts(alice, bob), secret, Purpose.sync), respondToHandshake(tb, facts(bob, alice), lookupFor(secret))]);
    // Replay them, on a connection from the same peer id, to a new exchange.
    const [replayer, victim] = transportPair();
    const responding = respondToHandshake(victim, facts(bob, alice), lookupFor(secret)).catch((e: unknown) => e);
    await replayer.send(recorded[0]!);
    await replayer.send(recorded[1]!);
    const error = await responding;
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as HandshakeError).code).toBe('bad-proof');
  });

  it('refuses a certificate for another device than the connected one', async () => {
    const alice = person('Alice', 1);
    const bob = person('Bob', 2);
    const impostor = { ...alice, certificate: person('Carol', 4).certificate };
    const [ta, tb] = transportPair();
    const results = await Promise.allSettled([
      initiateHandshake(ta, facts(impostor, bob), secret, Purpose.sync),
      respondToHandshake(tb, facts(bob, alice), lookupFor(secret)),
    ]);
    expect(results[1].status === 'rejected' && (results[1].reason as HandshakeError).code).toBe('bad-certificate');
  });

  it('says which side is older on a version mismatch, and refuses garbage, truncation and silence', async () => {
    const alice = person('Alice', 1);
    const bob = person('Bob', 2);
    const cases: [Uint8Array | null, string][] = [
      [new Uint8Array([1, 9, 1, ...new Uint8Array(64)]), 'version'],
      [new Uint8Array([1, 1, 1, 5, 5]), 'malformed'],
      [new Uint8Array([7, 7, 7]), 'malformed'],
      [new Uint8Array(0), 'malformed'],
      [new Uint8Array(20_000), 'malformed'],
      [null, 'timeout'],
    ];
    for (const [bytes, code] of cases) {
      const [attacker, victim] = transportPair();
      const responding = respondToHandshake(victim, facts(bob, alice, { timeoutMs: 100 }), lookupFor(secret)).catch((e: unknown) => e);
      if (bytes) await attacker.send(bytes);
      const error = (await responding) as HandshakeError;
      expect(error.code, `${code} for ${bytes?.slice(0, 4).join(',')}`).toBe(code);
      if (code === 'version') expect(error.message).toMatch(/this peer is older/);
    }
  });
});

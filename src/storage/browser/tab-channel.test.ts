import { describe, expect, it } from 'vitest';
import { channelName, databaseLockName, isTabMessage, tabEndpoint, tabLockName } from './tab-channel';

describe('tab channel messages', () => {
  it('accepts each message type and rejects malformed ones', () => {
    expect(isTabMessage({ type: 'who-owns', from: 'a' })).toBe(true);
    expect(isTabMessage({ type: 'owner', owner: 'a', storageKind: 'opfs' })).toBe(true);
    expect(isTabMessage({ type: 'owner', owner: 'a', storageKind: 'floppy' })).toBe(false);
    expect(isTabMessage({ type: 'hello', from: 'a', to: 'b' })).toBe(true);
    expect(isTabMessage({ type: 'hello', from: 'a' })).toBe(false);
    expect(isTabMessage({ type: 'changed', origins: ['a', 'b'] })).toBe(true);
    expect(isTabMessage({ type: 'changed', origins: [1] })).toBe(false);
    expect(isTabMessage({ type: 'rpc', from: 'a', to: 'b', frame: { id: '1' } })).toBe(true);
    expect(isTabMessage({ type: 'nope' })).toBe(false);
    expect(isTabMessage(null)).toBe(false);
    expect(isTabMessage('owner')).toBe(false);
  });

  it('names are versioned and per database', () => {
    expect(channelName('notes')).toBe('notes-storage/v1/notes');
    expect(databaseLockName('notes')).not.toBe(databaseLockName('other'));
    expect(tabLockName('t1')).not.toBe(databaseLockName('t1'));
  });
});

describe('tab endpoint', () => {
  it('delivers only frames addressed from the peer to itself, and stops after dispose', async () => {
    const a = new BroadcastChannel('tab-endpoint-test');
    const b = new BroadcastChannel('tab-endpoint-test');
    const c = new BroadcastChannel('tab-endpoint-test');
    try {
      const fromA = tabEndpoint(a, 'A', 'B');
      const atB = tabEndpoint(b, 'B', 'A');
      const atC = tabEndpoint(c, 'C', 'A');
      const seenByB: unknown[] = [];
      const seenByC: unknown[] = [];
      atB.addEventListener('message', (event) => seenByB.push((event as MessageEvent).data));
      atC.addEventListener('message', (event) => seenByC.push((event as MessageEvent).data));
      fromA.postMessage({ n: 1 });
      a.postMessage({ type: 'rpc', from: 'X', to: 'B', frame: { n: 'forged' } });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seenByB).toEqual([{ n: 1 }]);
      expect(seenByC).toEqual([]);
      atB.dispose();
      fromA.postMessage({ n: 2 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seenByB).toEqual([{ n: 1 }]);
    } finally {
      a.close();
      b.close();
      c.close();
    }
  });
});

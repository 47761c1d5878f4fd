import type { PeerStatus } from '../../net/browser';

/// A person's colour, the same on every device: a hue from their identity key.
/// Hex, because y-prosemirror's cursors accept only #rrggbb.
export function personColor(identityKey: Uint8Array): string {
  const hue = ((identityKey[0]! << 8) | identityKey[1]!) % 360;
  const [s, l] = [0.7, 0.42];
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    const value = l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255).toString(16).padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/// The people connected in a notebook, once each (a person may have several devices or
/// sessions), cloud peers left out.
export function peopleOf(peers: readonly PeerStatus[]): { name: string; color: string; key: string; route: PeerStatus['route'] }[] {
  const seen = new Map<string, { name: string; color: string; key: string; route: PeerStatus['route'] }>();
  for (const p of peers) {
    if (p.route === 'cloud') continue;
    const key = Array.from(p.identityKey.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
    if (!seen.has(key) || p.route === 'direct') seen.set(key, { name: p.name, color: personColor(p.identityKey), key, route: p.route });
  }
  return [...seen.values()];
}

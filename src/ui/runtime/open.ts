import type { BrowserDatabase } from '../../storage/browser';
import { loadIdentity, type DeviceIdentity } from '../identity/keystore';
import { bootRuntime, type AppRuntime } from './boot';

export type Me = DeviceIdentity & { wrapped: boolean };

/// Opens the notes (over `storage` if the caller started opening it) and loads this
/// device's identity (null before onboarding), together.
export function openApp(storage?: Promise<BrowserDatabase>): Promise<{ runtime: AppRuntime; me: Me | null }> {
  const identity = loadIdentity().finally(() => performance.mark('notes:identity-loaded'));
  return Promise.all([bootRuntime(storage), identity]).then(([runtime, me]) => ({ runtime, me }));
}

import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { AppNetwork, AppNetworkStatus } from './network';

const NetworkContext = createContext<AppNetwork | null>(null);

export function NetworkProvider({ network, children }: { network: AppNetwork; children: ReactNode }) {
  return <NetworkContext.Provider value={network}>{children}</NetworkContext.Provider>;
}

export function useNetwork(): AppNetwork {
  const network = useContext(NetworkContext);
  if (!network) throw new Error('useNetwork outside NetworkProvider');
  return network;
}

/// The network's status, re-rendering on each change; unsubscribes on unmount.
export function useNetworkStatus(): AppNetworkStatus {
  const network = useNetwork();
  return useSyncExternalStore(network.subscribe, network.getStatus);
}

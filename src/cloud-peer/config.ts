import { parseArgs } from 'node:util';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface CloudPeerConfig {
  /// libp2p listen multiaddrs (WebSockets).
  readonly listen: readonly string[];
  /// Addresses announced to browsers instead (a public host name behind a proxy, say).
  readonly announce: readonly string[];
  readonly dataDir: string;
  /// Notebook ids this peer keeps; empty: any notebook it is handed.
  readonly notebooks: readonly string[];
  /// Identity keys (hex) allowed to hand notebooks over; null: anyone (only while every
  /// listen address is loopback).
  readonly allowIdentities: readonly string[] | null;
  /// Other cloud peers to replicate kept notebooks with.
  readonly bootstrap: readonly string[];
  readonly logLevel: LogLevel;
  /// Serve the built app from this directory over HTTP, with /peer.json naming this peer.
  readonly appDir: string | null;
  readonly httpHost: string;
  readonly httpPort: number;
  /// Stop when standard input closes: a test or bench that started this process, and died
  /// without stopping it, takes it along.
  readonly exitWithParent: boolean;
}

export const USAGE = `Usage: npm run peer -- [options]            run the cloud peer
       npm run peer -- export [options]     export a notebook it keeps (see --help there)

Options (flags win over the environment variables in brackets):
  --listen <multiaddr>     libp2p listen address, repeatable [PEER_LISTEN, comma-separated]
                           default /ip4/127.0.0.1/tcp/4318/ws (loopback only)
  --port <n>               shorthand for --listen /ip4/127.0.0.1/tcp/<n>/ws [PEER_PORT]
  --announce <multiaddr>   address to give browsers instead, repeatable [PEER_ANNOUNCE]
  --data <dir>             where the replica and this peer's key live [PEER_DATA] (default .cloud-peer)
  --notebook <id>          keep only these notebooks, repeatable [PEER_NOTEBOOKS] (default: any handed over)
  --allow-identity <hex>   identities that may hand notebooks over, repeatable [PEER_ALLOW]
                           (default: anyone while listening on loopback only, no one otherwise)
  --bootstrap <multiaddr>  another cloud peer to replicate with, repeatable [PEER_BOOTSTRAP]
  --log-level <level>      error, warn, info or debug [PEER_LOG_LEVEL] (default info)
  --app <dir>              also serve the built app from <dir> over HTTP [PEER_APP]
  --http-port <n>          port for the app [PORT] (default 5173)
  --http-host <host>       host for the app [HOST] (default 127.0.0.1)
  --exit-with-parent       stop when standard input closes (for tests that start it)
  --help`;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function parseConfig(argv: readonly string[], env: Record<string, string | undefined>): CloudPeerConfig | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      listen: { type: 'string', multiple: true },
      port: { type: 'string' },
      announce: { type: 'string', multiple: true },
      data: { type: 'string' },
      notebook: { type: 'string', multiple: true },
      'allow-identity': { type: 'string', multiple: true },
      bootstrap: { type: 'string', multiple: true },
      'log-level': { type: 'string' },
      app: { type: 'string' },
      'http-port': { type: 'string' },
      'http-host': { type: 'string' },
      'exit-with-parent': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const list = (flag: string[] | undefined, variable: string | undefined) => flag ?? (variable ? variable.split(',').map((s) => s.trim()).filter(Boolean) : []);
  const portText = values.port ?? env.PEER_PORT;
  const port = portText === undefined ? 4318 : parsePort(portText, '--port');
  const listen = list(values.listen, env.PEER_LISTEN);
  const resolvedListen = listen.length > 0 ? listen : [`/ip4/127.0.0.1/tcp/${port}/ws`];
  for (const addr of resolvedListen) if (!addr.startsWith('/')) throw new ConfigError(`--listen takes a multiaddr like /ip4/127.0.0.1/tcp/4318/ws, not ${addr}`);
  const allow = list(values['allow-identity'], env.PEER_ALLOW);
  for (const key of allow) if (!/^[0-9a-f]{64}$/i.test(key)) throw new ConfigError(`--allow-identity takes a 64-digit hex identity key, not ${key}`);
  const loopbackOnly = resolvedListen.every((a) => a.startsWith('/ip4/127.') || a.startsWith('/ip6/::1/'));
  const logLevel = (values['log-level'] ?? env.PEER_LOG_LEVEL ?? 'info') as LogLevel;
  if (!['error', 'warn', 'info', 'debug'].includes(logLevel)) throw new ConfigError(`--log-level is error, warn, info or debug, not ${logLevel}`);
  return {
    listen: resolvedListen,
    announce: list(values.announce, env.PEER_ANNOUNCE),
    dataDir: values.data ?? env.PEER_DATA ?? '.cloud-peer',
    notebooks: list(values.notebook, env.PEER_NOTEBOOKS),
    allowIdentities: allow.length > 0 ? allow.map((k) => k.toLowerCase()) : loopbackOnly ? null : [],
    bootstrap: list(values.bootstrap, env.PEER_BOOTSTRAP),
    logLevel,
    appDir: values.app ?? env.PEER_APP ?? null,
    httpHost: values['http-host'] ?? env.HOST ?? '127.0.0.1',
    httpPort: parsePort(values['http-port'] ?? env.PORT ?? '5173', '--http-port'),
    exitWithParent: values['exit-with-parent'] ?? false,
  };
}

function parsePort(text: string, flag: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${flag} must be a port number (0-65535), not ${text}`);
  return port;
}

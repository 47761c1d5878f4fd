import { CloudPeer } from './cloud-peer';
import { ConfigError, parseConfig, USAGE, type LogLevel } from './config';

/// `npm run peer` (and `npm start`, with --app): runs the cloud peer until SIGINT/SIGTERM.
async function main(argv: string[]): Promise<number> {
  let config;
  try {
    config = parseConfig(argv, process.env);
  } catch (error) {
    console.error(error instanceof ConfigError || error instanceof TypeError ? error.message : error);
    console.error(USAGE);
    return 2;
  }
  if (config === 'help') {
    console.log(USAGE);
    return 0;
  }
  const rank: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
  const log = (level: LogLevel, message: string) => {
    if (rank[level] <= rank[config.logLevel]) (level === 'error' || level === 'warn' ? console.error : console.log)(`${new Date().toISOString()} ${level} ${message}`);
  };
  const peer = await CloudPeer.start(config, log);
  log('info', `cloud peer ${peer.node.peerId.toString()} listening on ${peer.addresses().join(' ')}`);
  log('info', `data in ${config.dataDir}; keeps ${config.notebooks.length ? config.notebooks.join(', ') : 'any notebook handed over'}${config.allowIdentities === null ? ' by anyone (loopback only)' : ` by ${config.allowIdentities.length} allowed identities`}`);
  const app = peer.httpAddress();
  if (app) console.log(`Notes is running at ${app}`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log('info', `${signal}: closing sessions and the replica`);
      // A second signal, or a stop that hangs, still ends the process.
      setTimeout(() => process.exit(1), 10_000).unref();
      peer.stop().then(resolve, (error: unknown) => {
        log('error', `shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`the cloud peer could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

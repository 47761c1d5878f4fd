import { CloudPeer } from './cloud-peer';
import { ConfigError, parseConfig, USAGE, type LogLevel } from './config';
import { EXPORT_USAGE, exportFromDataDir, parseExportArgs } from './export';

/// `npm run peer` (and `npm start`, with --app): runs the cloud peer until SIGINT/SIGTERM.
async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'export') return runExport(argv.slice(1));
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
  // Signals are taken before anything starts, so that one arriving during start-up still
  // ends in an orderly stop.
  let signalled: (name: string) => void = () => undefined;
  const signal = new Promise<string>((resolve) => (signalled = resolve));
  for (const name of ['SIGINT', 'SIGTERM'] as const) process.once(name, () => signalled(name));
  if (config.exitWithParent) {
    process.stdin.once('end', () => signalled('standard input closed'));
    process.stdin.resume();
  }

  const peer = await CloudPeer.start(config, log);
  log('info', `cloud peer ${peer.node.peerId.toString()} listening on ${peer.addresses().join(' ')}`);
  log('info', `data in ${config.dataDir}; keeps ${config.notebooks.length ? config.notebooks.join(', ') : 'any notebook handed over'}${config.allowIdentities === null ? ' by anyone (loopback only)' : ` by ${config.allowIdentities.length} allowed identities`}`);
  const app = peer.httpAddress();
  if (app) console.log(`Notes is running at ${app}`);

  const name = await signal;
  log('info', `${name}: closing sessions and the replica`);
  // A stop that hangs still ends the process.
  setTimeout(() => process.exit(1), 10_000).unref();
  try {
    await peer.stop();
  } catch (error) {
    log('error', `shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  return 0;
}

/// `npm run peer -- export …`: a notebook it keeps, as Markdown (zip) or a database file.
async function runExport(argv: string[]): Promise<number> {
  let options;
  try {
    if (argv.includes('--help')) {
      console.log(EXPORT_USAGE);
      return 0;
    }
    options = parseExportArgs(argv, process.env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    console.error(EXPORT_USAGE);
    return 2;
  }
  await exportFromDataDir(options);
  console.log(`wrote ${options.out}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`the cloud peer could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

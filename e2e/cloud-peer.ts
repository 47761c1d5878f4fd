import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunningCloudPeer {
  /// The app, served by this cloud peer (its own origin, so its own /peer.json).
  readonly url: string;
  readonly dataDir: string;
  readonly pid: number;
  /// Kills the process (by its PID) with the signal and waits for it to exit.
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/// Starts a cloud peer process on 127.0.0.1 (free ports) serving the tests' build of the app.
/// Tests kill it by PID; a test that forgets is covered by `stopAll` in afterEach.
export async function startCloudPeer(options: { dataDir?: string; httpPort?: number; peerPort?: number } = {}): Promise<RunningCloudPeer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'cloud-peer-'));
  // Its own copy of the tests' build, so a rebuild elsewhere cannot change files under it.
  const appDir = mkdtempSync(path.join(os.tmpdir(), 'cloud-peer-app-'));
  cpSync('dist-harness', appDir, { recursive: true });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cloud-peer/main.ts', '--app', appDir, '--http-port', String(options.httpPort ?? 0), '--port', String(options.peerPort ?? 0), '--data', dataDir, '--log-level', 'info', '--exit-with-parent'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  running.add(child);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the cloud peer did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Notes is running at (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the cloud peer exited (${code}):\n${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    dataDir,
    pid: child.pid!,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, signal);
      await exited;
      running.delete(child);
    },
  };
}

const running = new Set<ChildProcess>();

export function stopAll(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
  running.clear();
}

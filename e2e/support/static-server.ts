import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';

/// A static server for a built app on 127.0.0.1, on a free port, in this process. Its root
/// can be switched while it runs: the update test serves build A and then build B at the same
/// origin, as a deployment does.
export interface StaticServer {
  /// `http://127.0.0.1:<port>`, no trailing slash.
  readonly url: string;
  /// Serves `dir` from the next request on.
  serve(dir: string): void;
  close(): Promise<void>;
}

/// Serves `dir` as scripts/serve.mjs does (unknown paths get index.html).
export async function startStaticServer(dir: string): Promise<StaticServer> {
  const files = (root: string) => sirv(root, { single: true, etag: true, gzip: false });
  let handler = files(dir);
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve(next) {
      handler = files(next);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

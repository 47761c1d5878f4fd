// Serves the built app (dist/) on 127.0.0.1. `PORT` picks the port (default 5173);
// `DIST_DIR` another build directory (the tests serve dist-harness/).
// The cloud peer joins this process tree in the peer-to-peer issue.
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', process.env.DIST_DIR ?? 'dist');
const port = Number(process.env.PORT ?? 5173);
const host = process.env.HOST ?? '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not ${process.env.PORT}`);
  process.exit(2);
}

const assets = sirv(root, { single: true, etag: true, gzip: false });
const server = http.createServer((req, res) => assets(req, res));
server.on('error', (error) => {
  console.error(`could not listen on ${host}:${port}: ${error.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  const { port: actual } = server.address();
  console.log(`Notes is running at http://${host}:${actual}/`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

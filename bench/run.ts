import { printTable, writeResults, type Suite } from './harness';
import { appSuite } from './suites/app';
import { opfsSuite } from './suites/opfs';
import { realtimeTextSuite } from './suites/realtime-text';
import { syncSuite } from './suites/sync';

/// `npm run bench` runs every suite; `npm run bench -- <suite>` runs one.
const suites: readonly Suite[] = [realtimeTextSuite, opfsSuite, appSuite, syncSuite];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !suites.some((s) => s.name === w));
if (unknown.length > 0) {
  console.error(`unknown suite ${unknown.join(', ')}; suites: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
for (const suite of suites.filter((s) => wanted.length === 0 || wanted.includes(s.name))) {
  console.log(`\n# ${suite.name}: ${suite.description}`);
  const metrics = await suite.run((line) => console.log(`  ${line}`));
  printTable(suite.name, metrics);
  console.log(`wrote ${writeResults(suite.name, metrics)}`);
}

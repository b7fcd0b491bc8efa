/**
 * Development entry for the serve transport (`npm run serve -- --db FILE [--host H] [--port P]`).
 * The user-facing command is `homolab serve`, which calls `startServer` the same way.
 */
import { parseArgs } from 'node:util';
import { startServer } from './start-server';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'homolab-dev.sqlite' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
  },
});

const served = await startServer({
  dbPath: values.db!,
  host: values.host,
  port: Number(values.port),
});
console.log(`Homolab is serving at ${served.url}`);
const stop = () => void served.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

/**
 * The real Temporal dev server for end-to-end tests: headless, in memory, on a
 * free loopback port, with Patchwarden's search attributes registered.
 */
import { createServer } from 'node:net';
import { createLogger } from '../config/logger.js';
import { startDevServer, type DevServer } from '../workers/dev-server.js';
import { INSTALL_HINT, findTemporalCli } from '../workers/temporal-cli.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startTestTemporal(): Promise<DevServer> {
  const cliPath = findTemporalCli();
  if (!cliPath) throw new Error(`The Temporal CLI is needed for this test. ${INSTALL_HINT}`);
  return startDevServer({
    cliPath,
    port: await freePort(),
    uiPort: null,
    dbFilename: null,
    namespace: 'default',
    logger: createLogger({ silent: true }),
  });
}

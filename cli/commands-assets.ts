/**
 * CLI commands for assets: `assets list`, `show`, `tag` and `import`, thin
 * clients of /api/assets and /api/imports/assets. An asset is named by its id,
 * host name, FQDN or IP address.
 */
import type { Command } from 'commander';
import type { TaggedAsset } from '../api/asset-service.js';
import type { AssetView } from '../db/assets.js';
import { ApiClient, CliError } from './api-client.js';
import { positiveInteger } from './arguments.js';
import { importEach } from './commands-data.js';

interface AssetPage {
  assets: AssetView[];
  nextCursor: string | null;
}

/** Assets requested per page; the API allows at most 500. */
const PAGE_SIZE = 500;

/**
 * Turns `key=value` arguments into the body of PATCH /api/assets/:id/tags. An
 * empty value (`owner=`) becomes null, which removes the tag. The server
 * checks keys and values.
 *
 * @throws CliError for an argument without `=` or with an empty key, and for a key given twice.
 */
export function parseTagArguments(args: readonly string[]): Record<string, string | null> {
  const tags: Record<string, string | null> = {};

  for (const arg of args) {
    const separator = arg.indexOf('=');
    const key = separator < 0 ? '' : arg.slice(0, separator).trim();
    if (key === '') {
      throw new CliError(`"${arg}" is not key=value; write e.g. criticality=1 exposure=internet-facing, or owner= to remove the owner tag.`);
    }
    if (Object.hasOwn(tags, key)) throw new CliError(`The tag "${key}" is given twice; give it once.`);

    const value = arg.slice(separator + 1);
    tags[key] = value.trim() === '' ? null : value;
  }
  return tags;
}

function collectTags(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Finds the one asset a reference names: by host name, FQDN or IP address
 * first, then by asset id.
 *
 * @throws CliError when no asset matches, or when several match the host.
 */
export async function resolveAsset(api: ApiClient, reference: string): Promise<AssetView> {
  const page = await api.request<AssetPage>('get', '/api/assets', undefined, { host: reference, limit: '20' });
  if (page.assets.length > 1) {
    const listed = page.assets.map((asset) => `  ${asset.id} (${[asset.hostname, asset.fqdn, asset.ip].filter(Boolean).join(', ')})`);
    const more = page.nextCursor === null ? '' : '\n  and more';
    throw new CliError(`"${reference}" matches ${page.assets.length} assets; give the asset id of one:\n${listed.join('\n')}${more}`);
  }
  if (page.assets.length === 1) return page.assets[0]!;

  try {
    return await api.request<AssetView>('get', `/api/assets/${encodeURIComponent(reference)}`);
  } catch (error) {
    if (error instanceof CliError && error.status === 404) {
      throw new CliError(`No asset has the id, host name, FQDN or IP address "${reference}". Assets come from scanner imports; see \`patchwarden assets list\`.`);
    }
    throw error;
  }
}

function formatTags(tags: Record<string, unknown>): string {
  return Object.entries(tags)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
}

/** Prints one asset a line: id, host name, IP address, open findings and tags. */
function printAssets(assets: readonly AssetView[]): void {
  for (const asset of assets) {
    console.log([asset.id, asset.hostname, asset.ip ?? '-', `open=${asset.openFindings}`, formatTags(asset.tags)].join('\t').trimEnd());
  }
}

function printTagged(tagged: TaggedAsset): void {
  const { asset, changes, rescored } = tagged;
  const keys = Object.keys(changes.after);
  console.log(keys.length === 0 ? `no tag changed on ${asset.hostname} (${asset.id})` : `tagged ${asset.hostname} (${asset.id})`);
  for (const key of keys) {
    console.log(`  ${key}: ${String(changes.before[key] ?? '(none)')} -> ${String(changes.after[key] ?? '(removed)')}`);
  }
  console.log(`rescored ${rescored.findingsScored} open findings: ${rescored.scoresChanged} scores changed`);
}

export function registerAssetCommands(program: Command): void {
  const assets = program.command('assets').description('assets from scans and the tags that enter their risk scores');
  assets
    .command('list')
    .description('list assets by host name, one a line: id, host name, IP address, open findings, tags')
    .option('--host <name>', 'only assets with this host name, FQDN or IP address (exact match)')
    .option('--tag <key:value>', 'only assets with this tag, such as criticality:1; repeatable, all must match', collectTags, [])
    .option('--limit <n>', 'most assets to list (default: all)', positiveInteger)
    .action(async (options: { host?: string; tag: string[]; limit?: number }) => {
      const api = new ApiClient();
      let listed = 0;
      let cursor: string | null = null;

      do {
        const size = Math.min(PAGE_SIZE, (options.limit ?? Infinity) - listed);
        const params = new URLSearchParams({ limit: String(size) });
        if (options.host !== undefined) params.set('host', options.host);
        for (const tag of options.tag) params.append('tag', tag);
        if (cursor !== null) params.set('cursor', cursor);

        const page: AssetPage = await api.request<AssetPage>('get', `/api/assets?${params}`);
        printAssets(page.assets);
        listed += page.assets.length;
        cursor = page.nextCursor;
      } while (cursor !== null && listed < (options.limit ?? Infinity));

      process.stderr.write(`listed ${listed} assets\n`);
    });

  assets
    .command('show')
    .description('show one asset as JSON: host names, OS, tags, first and last seen, open findings')
    .argument('<asset>', 'asset id, host name, FQDN or IP address')
    .action(async (reference: string) => {
      console.log(JSON.stringify(await resolveAsset(new ApiClient(), reference), null, 2));
    });

  assets
    .command('tag')
    .description("set or remove asset tags and rescore the asset's open findings (needs the patch_operator role)")
    .argument('<asset>', 'asset id, host name, FQDN or IP address')
    .argument(
      '<tags...>',
      'key=value pairs: criticality=1..4, exposure=internet-facing|internal|isolated, owner, site, function, location, lifecycle, maintenanceWindow, or a key of your own; key= removes the tag',
    )
    .action(async (reference: string, args: string[]) => {
      const tags = parseTagArguments(args);
      const api = new ApiClient();
      const asset = await resolveAsset(api, reference);
      printTagged(await api.request<TaggedAsset>('patch', `/api/assets/${encodeURIComponent(asset.id)}/tags`, tags));
    });

  assets
    .command('import')
    .description('set asset tags from CMDB CSV exports, each file in its own transaction (needs the patch_operator role)')
    .argument('<files...>', 'CSV files with a header naming asset_id, hostname, fqdn or ip, and tag columns such as criticality, exposure, owner')
    .action(async (files: string[]) => {
      await importEach(new ApiClient(), files.map((file) => ({ route: '/api/imports/assets', file })));
    });
}

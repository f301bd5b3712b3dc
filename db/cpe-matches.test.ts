/**
 * NVD configurations in real PostgreSQL: every real NVD file imported through
 * `importFile`, counted against jq, re-imports that replace a CVE's matches,
 * and a malformed CPE that leaves the database as it was.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../api/import-service.js';
import { createLogger } from '../config/logger.js';
import { ImportFormatError } from '../domain/errors.js';
import { NVD_CONFIGURATION_COUNTS } from '../test/nvd-configuration-counts.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { sharedDataPath } from '../test/shared-data.js';
import { cpeConfigurationsOf } from './cpe-matches.js';

const logger = createLogger({ silent: true });

/** The Ivanti EPMM record: one configuration, one OR node, one CPE match with an included end. */
const IVANTI_FILE = sharedDataPath('intel/nvd/fkie-cad/CVE-2023-35078.json');
const IVANTI = 'CVE-2023-35078';

describe('vulnerability_cpe_matches', () => {
  let testDb: TestDatabase;
  let scratch: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    scratch = await mkdtemp(join(tmpdir(), 'pw-cpe-test-'));
  });

  afterAll(async () => {
    await testDb?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  const run = (path: string) => importFile(testDb.database, 'nvd', { path, fileName: path.split('/').pop()!, importedBy: 'tester' }, logger);

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await testDb.database.query<{ count: string }>(sql, params);
    return Number(row?.count);
  }

  /** Writes the Ivanti record, changed by `edit`, to a scratch file and returns its path. */
  async function editedIvanti(name: string, edit: (cve: Record<string, any>) => void): Promise<string> {
    const cve = JSON.parse(await readFile(IVANTI_FILE, 'utf8'));
    edit(cve);
    const path = join(scratch, name);
    await writeFile(path, JSON.stringify(cve, null, 2));
    return path;
  }

  describe('real files', () => {
    for (const expected of NVD_CONFIGURATION_COUNTS) {
      it(`stores ${expected.file}`, async () => {
        const path = sharedDataPath('intel/nvd', expected.file);
        const raw = JSON.parse(await readFile(path, 'utf8'));
        const cves: string[] = Array.isArray(raw.vulnerabilities) ? raw.vulnerabilities.map((item: { cve: { id: string } }) => item.cve.id) : [raw.id];

        const result = await run(path);

        expect(result.counts['cpeMatches']).toBe(expected.cpeMatches);
        const where = 'FROM vulnerability_cpe_matches WHERE cve = ANY($1)';
        expect(await count(`SELECT count(*) ${where}`, [cves])).toBe(expected.cpeMatches);
        expect(await count(`SELECT count(DISTINCT (cve, configuration_index)) ${where}`, [cves])).toBe(expected.configurations);
        expect(await count(`SELECT count(DISTINCT (vendor, product)) ${where}`, [cves])).toBe(expected.products);
      });
    }

    it('keeps an AND configuration', async () => {
      const [configuration] = await cpeConfigurationsOf(testDb.database, 'CVE-2022-22377');

      expect(configuration?.operator).toBe('AND');
      expect(configuration?.nodes.map((node) => node.matches.map((match) => `${match.cpe.vendor}:${match.cpe.product}:${match.vulnerable}`))).toEqual([
        ['ibm:security_verify_privilege_on-premises:true'],
        ['apple:macos:false', 'microsoft:windows:false'],
      ]);
      expect(configuration?.nodes[0]?.matches[0]?.range).toEqual({ startIncluding: null, startExcluding: null, endIncluding: null, endExcluding: '11.5' });
    });

    it('reads back the stored record', async () => {
      const configurations = await cpeConfigurationsOf(testDb.database, IVANTI);

      expect(configurations).toEqual([
        {
          operator: 'OR',
          negate: false,
          nodes: [
            {
              operator: 'OR',
              negate: false,
              matches: [
                {
                  vulnerable: true,
                  criteria: 'cpe:2.3:a:ivanti:endpoint_manager_mobile:*:*:*:*:*:*:*:*',
                  matchCriteriaId: '1AADBE71-2697-49C9-8FC1-B77B700980AE',
                  cpe: expect.objectContaining({ part: 'a', vendor: 'ivanti', product: 'endpoint_manager_mobile', version: '*' }),
                  range: { startIncluding: null, startExcluding: null, endIncluding: '11.10', endExcluding: null },
                },
              ],
            },
          ],
        },
      ]);
    });
  });

  describe('re-import', () => {
    it('replaces the matches of the CVE', async () => {
      const path = await editedIvanti('ivanti-narrowed.json', (cve) => {
        cve.configurations[0].nodes[0].cpeMatch = [
          { vulnerable: true, criteria: 'cpe:2.3:a:ivanti:endpoint_manager_mobile:11.4:*:*:*:*:*:*:*', matchCriteriaId: 'AAAAAAAA-0000-0000-0000-000000000001' },
          { vulnerable: true, criteria: 'cpe:2.3:a:ivanti:endpoint_manager_mobile:11.5:*:*:*:*:*:*:*', matchCriteriaId: 'AAAAAAAA-0000-0000-0000-000000000002' },
        ];
      });

      await run(path);

      const rows = await testDb.database.query<{ version: string; version_end_including: string | null }>(
        'SELECT version, version_end_including FROM vulnerability_cpe_matches WHERE cve = $1 ORDER BY match_index',
        [IVANTI],
      );
      expect(rows).toEqual([
        { version: '11.4', version_end_including: null },
        { version: '11.5', version_end_including: null },
      ]);
    });

    it('removes matches the record no longer has', async () => {
      const path = await editedIvanti('ivanti-unconfigured.json', (cve) => {
        delete cve.configurations;
      });

      await run(path);

      expect(await count('SELECT count(*) FROM vulnerability_cpe_matches WHERE cve = $1', [IVANTI])).toBe(0);
    });

    it('leaves other CVEs alone', async () => {
      // CVE-2023-4863 was stored from its own file and is not in the Ivanti files.
      expect(await count(`SELECT count(*) FROM vulnerability_cpe_matches WHERE cve = 'CVE-2023-4863'`)).toBe(14);
    });

    it('takes the newest of two copies', async () => {
      const cve = JSON.parse(await readFile(IVANTI_FILE, 'utf8'));
      const newer = structuredClone(cve);
      newer.lastModified = '2099-01-01T00:00:00.000';
      newer.configurations[0].nodes[0].cpeMatch[0].versionEndIncluding = '11.11';
      const path = join(scratch, 'ivanti-twice.json');
      await writeFile(path, JSON.stringify({ vulnerabilities: [{ cve: newer }, { cve }] }));

      await run(path);

      const [row] = await testDb.database.query<{ version_end_including: string }>(
        'SELECT version_end_including FROM vulnerability_cpe_matches WHERE cve = $1',
        [IVANTI],
      );
      expect(row?.version_end_including).toBe('11.11');
    });
  });

  describe('malformed CPE', () => {
    it('rejects the file and stores nothing', async () => {
      await run(IVANTI_FILE);
      const snapshot = () =>
        testDb.database.query('SELECT * FROM vulnerability_cpe_matches WHERE cve = $1 ORDER BY configuration_index, node_index, match_index', [IVANTI]);
      const before = await snapshot();
      const [vulnerabilityBefore] = await testDb.database.query('SELECT * FROM vulnerabilities WHERE cve = $1', [IVANTI]);
      const importsBefore = await count('SELECT count(*) FROM imports');
      const path = await editedIvanti('ivanti-malformed.json', (cve) => {
        cve.lastModified = '2099-06-01T00:00:00.000';
        cve.configurations[0].nodes[0].cpeMatch.push({
          vulnerable: true,
          criteria: 'cpe:2.3:a:ivanti:endpoint manager:*:*:*:*:*:*:*:*',
          matchCriteriaId: 'AAAAAAAA-0000-0000-0000-000000000003',
        });
      });

      const error = await run(path).then(
        () => null,
        (caught: unknown) => caught,
      );

      expect(error).toBeInstanceOf(ImportFormatError);
      expect((error as ImportFormatError).file).toBe('ivanti-malformed.json');
      expect((error as ImportFormatError).reason).toMatch(
        /^cve \(CVE-2023-35078\): field "configurations\[0\]\.nodes\[0\]\.cpeMatch\[1\]\.criteria" is invalid: .*contains U\+0020/,
      );
      expect(before).toHaveLength(1);
      expect(await snapshot()).toEqual(before);
      expect(await testDb.database.query('SELECT * FROM vulnerabilities WHERE cve = $1', [IVANTI])).toEqual([vulnerabilityBefore]);
      expect(await count('SELECT count(*) FROM imports')).toBe(importsBefore);
    });
  });
});

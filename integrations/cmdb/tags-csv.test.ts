import { describe, expect, it } from 'vitest';

import { fixturePath } from '../../test/shared-data.js';
import { formatError, useTempFiles } from '../scanner/scanner-test-support.js';
import { readAssetTagsCsv } from './tags-csv.js';

const writeTemp = useTempFiles('cmdb-tags');

describe('readAssetTagsCsv', () => {
  it('reads the fixture rows', async () => {
    const file = await readAssetTagsCsv(fixturePath('cmdb/asset-tags.csv'));

    expect(file.records).toHaveLength(5);
    expect(file.tagKeys).toEqual(['criticality', 'exposure', 'owner', 'site', 'maintenanceWindow', 'business_service']);
  });

  it('stores criticality as a number', async () => {
    const file = await readAssetTagsCsv(fixturePath('cmdb/asset-tags.csv'));

    expect(file.records[0]).toEqual({
      line: 2,
      host: { assetId: null, hostname: null, fqdn: 'testphp.vulnweb.com', ip: null },
      changes: {
        criticality: 1,
        exposure: 'internet-facing',
        owner: 'team-web',
        site: 'eu-west-1',
        maintenanceWindow: 'Sat 02:00-04:00 UTC',
        business_service: 'web-shop',
      },
    });
  });

  it('leaves empty cells out', async () => {
    const file = await readAssetTagsCsv(fixturePath('cmdb/asset-tags.csv'));

    expect(file.records[2]?.changes).toEqual({ criticality: 4, exposure: 'isolated', maintenanceWindow: 'Sun 01:00-03:00 UTC' });
  });

  it('reads quoted cells', async () => {
    const file = await readAssetTagsCsv(fixturePath('cmdb/asset-tags.csv'));

    expect(file.records[4]?.host.hostname).toBe('files, old share');
    expect(file.records[4]?.changes).toEqual({ criticality: 2, business_service: 'archive, read-only' });
  });

  it('matches column names loosely', async () => {
    const path = await writeTemp('loose.csv', 'Asset_ID;IP;Criticality;Maintenance-Window\nasset-1;10.0.0.1;2;Sun\n');

    const [record] = (await readAssetTagsCsv(path)).records;

    expect(record?.host).toEqual({ assetId: 'asset-1', hostname: null, fqdn: null, ip: '10.0.0.1' });
    expect(record?.changes).toEqual({ criticality: 2, maintenanceWindow: 'Sun' });
  });

  it('accepts a header without rows', async () => {
    const path = await writeTemp('header-only.csv', 'hostname,owner\n');

    expect((await readAssetTagsCsv(path)).records).toEqual([]);
  });

  const malformed: [string, string | Buffer, number, string][] = [
    ['empty file', '', 1, 'the file is empty'],
    ['no host column', 'name,criticality\nweb01,1\n', 1, 'no host column'],
    ['no tag column', 'hostname,fqdn\nweb01,web01.example.com\n', 1, 'no tag column'],
    ['invalid column name', 'hostname,Serial Number\nweb01,X1\n', 1, 'column "Serial Number" is not a valid tag key'],
    ['unnamed column', 'hostname,,owner\nweb01,x,team\n', 1, 'column 2 of the header has no name'],
    ['column twice', 'hostname,maintenanceWindow,maintenance_window\nweb01,a,b\n', 1, 'name the same field'],
    ['criticality 5', 'hostname,criticality\nweb01,1\nweb02,5\n', 3, 'column "criticality": the value "5" must be a tier from 1'],
    ['unknown exposure', 'hostname,exposure\nweb01,dmz\n', 2, 'column "exposure": the value "dmz" must be one of "internet-facing", "internal", "isolated"'],
    ['row without host', 'hostname,ip,owner\n,,team-web\n', 2, 'every host column ("hostname", "ip") is empty'],
    ['too many fields', 'hostname,owner\nweb01,team,extra\n', 2, 'the row has 3 fields'],
    ['invalid UTF-8', Buffer.concat([Buffer.from('hostname,owner\nweb01,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]), 2, 'UTF-8'],
  ];

  for (const [name, content, line, reason] of malformed) {
    it(`rejects ${name}`, async () => {
      const path = await writeTemp(`${name.replace(/\W+/g, '-')}.csv`, content);

      const error = await formatError(readAssetTagsCsv(path, { fileName: 'cmdb.csv' }));

      expect(error.file).toBe('cmdb.csv');
      expect(error.line).toBe(line);
      expect(error.reason).toContain(reason);
    });
  }
});

import { describe, expect, it } from 'vitest';

import { catchImportFormatError } from '../../test/import-errors.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { parseDefenderApiAlerts, parseDefenderHunting } from './defender-alerts.js';
import { parseEdrDocument } from './export-input.js';
import { readEdrFile } from './read-edr-file.js';

const API_RESPONSE = sharedDataPath('edr', 'defender_endpoint_alerts_api_v1_response.json');
const HUNTING_RECORDS = sharedDataPath('edr', 'defender_endpoint_alerts_panther.json');

function apiResponse(alerts: Record<string, unknown>[]) {
  const text = JSON.stringify({ '@odata.context': 'https://api.securitycenter.microsoft.com/api/$metadata#Alerts', value: alerts });
  return parseDefenderApiAlerts(parseEdrDocument(text, 'alerts.json'));
}

function alert(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'da637472900382838869_1364969609',
    machineId: '111e6dd8c833c8a052ea231ec1b19adaf497b625',
    computerDnsName: 'mymachine1.contoso.com',
    alertCreationTime: '2021-01-26T20:33:57.7220239Z',
    mitreTechniques: ['T1059.001', 'T1105'],
    ...fields,
  };
}

function hunting(rows: Record<string, unknown>[]) {
  return parseDefenderHunting(parseEdrDocument(JSON.stringify(rows), 'hunting.json'));
}

describe('parseDefenderApiAlerts real file', () => {
  it('counts alerts', async () => {
    const result = await readEdrFile(API_RESPONSE);

    expect(result.format).toBe('defender-alerts-api');
    // 3: jq '.value | length' defender_endpoint_alerts_api_v1_response.json
    expect(result.detections).toHaveLength(3);
    expect(result.skipped).toBe(0);
  });

  it('finds no technique ids', async () => {
    const result = await readEdrFile(API_RESPONSE);

    // 0: jq '[.value[] | .mitreTechniques // empty] | length' (same file): these alerts predate the field.
    expect(result.detections.flatMap((detection) => detection.techniqueIds)).toEqual([]);
  });

  it('reads the first alert', async () => {
    const [first] = (await readEdrFile(API_RESPONSE)).detections;

    expect(first).toEqual({
      vendor: 'microsoft-defender',
      detectionId: 'da637029414680409372_735564929',
      hostName: null,
      hostId: '43df73d1dac43593d1275e20422f44a949f6dfc3',
      hostIp: null,
      techniqueIds: [],
      detectedAt: new Date('2019-09-01T13:31:08.025Z'),
    });
  });
});

describe('parseDefenderApiAlerts', () => {
  it('reads mitreTechniques', () => {
    const result = apiResponse([alert()]);

    expect(result.detections[0]?.techniqueIds).toEqual(['T1059.001', 'T1105']);
    expect(result.detections[0]?.hostName).toBe('mymachine1.contoso.com');
  });

  it('rejects a non-id technique', () => {
    const error = catchImportFormatError(() => apiResponse([alert(), alert({ mitreTechniques: ['T1105', 'PowerShell'] })]));

    expect(error.reason).toBe('value[1].mitreTechniques[1]: invalid ATT&CK technique id "PowerShell": expected an id such as T1059 or T1059.001');
  });

  it('rejects techniques that are not a list', () => {
    const error = catchImportFormatError(() => apiResponse([alert({ mitreTechniques: 'T1105' })]));

    expect(error.reason).toBe('value[0].mitreTechniques: expected an array of technique ids');
  });

  it('rejects an alert without time', () => {
    const error = catchImportFormatError(() => apiResponse([alert({ alertCreationTime: null })]));

    expect(error.reason).toBe('value[0]: the detection has no time: expected alertCreationTime');
  });
});

describe('parseDefenderHunting real file', () => {
  it('counts alerts and techniques', async () => {
    const result = await readEdrFile(HUNTING_RECORDS);
    const techniques = new Set(result.detections.flatMap((detection) => detection.techniqueIds));

    expect(result.format).toBe('defender-xdr-hunting');
    // 2: jq 'length' defender_endpoint_alerts_panther.json (one AlertInfo and one AlertEvidence row)
    expect(result.detections).toHaveLength(2);
    // T1218, T1218.010, T1218.011: jq -c '[.[].log.properties.AttackTechniques | fromjson[]
    //   | capture("\\((?<id>T[0-9.]+)\\)").id] | unique' (same file)
    expect([...techniques].sort()).toEqual(['T1218', 'T1218.010', 'T1218.011']);
    expect(result.namesWithoutId).toBe(0);
  });

  it('reads the evidence device', async () => {
    const evidence = (await readEdrFile(HUNTING_RECORDS)).detections[1];

    expect(evidence).toEqual({
      vendor: 'microsoft-defender',
      detectionId: 'sn34c87846-505a-4c84-b125-44bce1202df4',
      hostName: 'testdevice.testdomain.com',
      hostId: '0123456789abcdef0123456789abcdef',
      hostIp: null,
      techniqueIds: ['T1218', 'T1218.010', 'T1218.011'],
      detectedAt: new Date('2025-04-11T20:51:04.058Z'),
    });
  });

  it('leaves an AlertInfo row without host', async () => {
    const [info] = (await readEdrFile(HUNTING_RECORDS)).detections;

    expect(info?.hostName).toBeNull();
    expect(info?.detectedAt).toEqual(new Date('2025-04-21T20:51:04.058Z'));
  });
});

describe('parseDefenderHunting', () => {
  it('reads query result columns', () => {
    const result = hunting([{ Timestamp: '2025-01-02T03:04:05Z', AlertId: 'da1', AttackTechniques: ['PowerShell (T1059.001)'], DeviceName: 'ws-9' }]);

    expect(result.detections[0]).toMatchObject({ detectionId: 'da1', hostName: 'ws-9', techniqueIds: ['T1059.001'] });
  });

  it('skips other tables', () => {
    const result = hunting([{ category: 'AdvancedHunting-DeviceEvents', properties: { DeviceName: 'ws-9', Timestamp: '2025-01-02 03:04:05' } }]);

    expect(result.detections).toEqual([]);
    expect(result.skipped).toBe(1);
  });

  it('counts a name without id', () => {
    const result = hunting([{ Timestamp: '2025-01-02T03:04:05Z', AlertId: 'da1', AttackTechniques: '["Masquerading"]' }]);

    expect(result.detections[0]?.techniqueIds).toEqual([]);
    expect(result.namesWithoutId).toBe(1);
  });

  it('rejects techniques that are not JSON', () => {
    const row = { category: 'AdvancedHunting-AlertInfo', properties: { AlertId: 'da1', Timestamp: '2025-01-02 03:04:05', AttackTechniques: 'T1059, T1105' } };
    const error = catchImportFormatError(() => hunting([row]));

    expect(error.reason).toBe('[0].properties.AttackTechniques: expected a JSON array of techniques, found "T1059, T1105"');
  });
});

import { describe, expect, it } from 'vitest';

import { catchImportFormatError } from '../../test/import-errors.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { parseEdrDocument } from './export-input.js';
import { readEdrFile } from './read-edr-file.js';
import { parseSentinelOneActivities } from './sentinelone-activities.js';

const ACTIVITIES = sharedDataPath('edr', 'sentinelone_alerts_threats_panther.json');

function parse(records: Record<string, unknown>[]) {
  return parseSentinelOneActivities(parseEdrDocument(JSON.stringify(records), 'activities.json'));
}

describe('parseSentinelOneActivities real file', () => {
  it('counts detections and skipped activities', async () => {
    const result = await readEdrFile(ACTIVITIES);

    expect(result.format).toBe('sentinelone-activities');
    expect(result.events).toBe(11);
    // 9: jq '[.[].log | select(.threatid != null or .data.alertid != null)] | length' sentinelone_alerts_threats_panther.json
    expect(result.detections).toHaveLength(9);
    expect(result.skipped).toBe(2);
  });

  it('carries no technique ids', async () => {
    const result = await readEdrFile(ACTIVITIES);

    // 0: grep -c -i -E 'T[0-9]{4}|technique|mitre' sentinelone_alerts_threats_panther.json
    expect(result.detections.flatMap((detection) => detection.techniqueIds)).toEqual([]);
    expect(result.namesWithoutId).toBe(0);
  });

  it('reads a threat activity', async () => {
    const threat = (await readEdrFile(ACTIVITIES)).detections[2];

    expect(threat).toEqual({
      vendor: 'sentinelone',
      detectionId: '123456789',
      hostName: 'BobsPC',
      hostId: '1111112222233333',
      hostIp: null,
      techniqueIds: [],
      detectedAt: new Date('2022-12-07T16:08:55.703Z'),
    });
  });

  it('reads an alert activity', async () => {
    const [alert] = (await readEdrFile(ACTIVITIES)).detections;

    expect(alert).toMatchObject({ detectionId: '1570395776954206544', hostIp: '1.2.3.4', hostName: null });
    expect(alert?.detectedAt).toEqual(new Date('2022-12-07T17:35:48.000Z'));
  });
});

describe('parseSentinelOneActivities', () => {
  it('reads camelCase keys', () => {
    const result = parse([
      { activityType: 19, accountId: '1', agentId: 'agent-1', threatId: '42', createdAt: '2024-06-01T10:00:00.000Z', data: { computerName: 'ws-1' } },
    ]);

    expect(result.detections[0]).toMatchObject({ detectionId: '42', hostName: 'ws-1', hostId: 'agent-1' });
  });

  it('rejects a threat without time', () => {
    const error = catchImportFormatError(() => parse([{ activityType: 19, accountId: '1', threatId: '42', data: {} }]));

    expect(error.reason).toBe('[0]: the detection has no time: expected data.detectedAt or createdAt');
  });
});

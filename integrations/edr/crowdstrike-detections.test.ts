import { describe, expect, it } from 'vitest';

import { catchImportFormatError } from '../../test/import-errors.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { parseCrowdStrikeDetections } from './crowdstrike-detections.js';
import { parseEdrDocument } from './export-input.js';
import { readEdrFile } from './read-edr-file.js';

const FALCON_EVENTS = sharedDataPath('edr', 'crowdstrike_falcon_detection_summary_events.json');

function parse(records: Record<string, unknown>[]) {
  return parseCrowdStrikeDetections(parseEdrDocument(JSON.stringify(records), 'falcon.json'));
}

/** Builds a detection summary event of the Event Streams API, with the fields the parser reads. */
function streamEvent(event: Record<string, unknown>): Record<string, unknown> {
  return {
    metadata: { customerIDString: 'cid-1', eventType: 'DetectionSummaryEvent', eventCreationTime: 1733255670000 },
    event: { DetectId: 'ldt:abc:123', ComputerName: 'WS-0042', LocalIP: '10.0.0.42', SensorId: 'aid-42', ...event },
  };
}

describe('parseCrowdStrikeDetections real file', () => {
  it('counts detections and skipped events', async () => {
    const result = await readEdrFile(FALCON_EVENTS);

    expect(result.format).toBe('crowdstrike-falcon-events');
    expect(result.events).toBe(9);
    // 7: jq '[.[].log | select((.metadata.eventType // .fdr_event_type // .event.ExternalApiType // .ExternalApiType)
    //   | IN("EppDetectionSummaryEvent","Event_EppDetectionSummaryEvent"))] | length' crowdstrike_falcon_detection_summary_events.json
    expect(result.detections).toHaveLength(7);
    expect(result.skipped).toBe(2);
  });

  it('finds no technique ids', async () => {
    const result = await readEdrFile(FALCON_EVENTS);

    // 0: jq '[.. | objects | .TechniqueId? // empty] | length' (same file). `Technique` contains names only:
    // jq -c '[.. | objects | .Technique? // empty]' gives ["PUP","N/A", and 5 times "User Execution"].
    expect(result.detections.flatMap((detection) => detection.techniqueIds)).toEqual([]);
    expect(result.namesWithoutId).toBe(6);
  });

  it('reads a flat summary event', async () => {
    const [first] = (await readEdrFile(FALCON_EVENTS)).detections;

    expect(first).toEqual({
      vendor: 'crowdstrike',
      detectionId: '00000000000000000000000000000000:ind:00000000006e49842267fc5837c4e2fc:222222222222222222-33333-444444',
      hostName: 'macbook',
      hostId: '00000000000000000000000000000000',
      hostIp: '1.1.1.1',
      techniqueIds: [],
      detectedAt: new Date('2021-09-18T20:38:52.000Z'),
    });
  });

  it('reads epoch milliseconds of an FDR row', async () => {
    const second = (await readEdrFile(FALCON_EVENTS)).detections[1];

    expect(second?.hostName).toBe('hostname.lan');
    expect(second?.detectedAt).toEqual(new Date(1616609989000));
  });

  it('dates a stream event by its metadata', async () => {
    const stream = (await readEdrFile(FALCON_EVENTS)).detections[2];

    expect(stream?.detectionId).toBe('DETECTION ID');
    expect(stream?.hostName).toBeNull();
    expect(stream?.hostIp).toBe('2.2.2.2');
    expect(stream?.detectedAt).toEqual(new Date('2024-12-03T19:54:30.000Z'));
  });
});

describe('parseCrowdStrikeDetections', () => {
  it('reads TechniqueId', () => {
    const result = parse([streamEvent({ Technique: 'Command-Line Interface', TechniqueId: 'T1059' })]);

    expect(result.detections[0]?.techniqueIds).toEqual(['T1059']);
    expect(result.detections[0]?.hostName).toBe('WS-0042');
    expect(result.detections[0]?.detectionId).toBe('ldt:abc:123');
    expect(result.namesWithoutId).toBe(0);
  });

  it('keeps a sub-technique', () => {
    const result = parse([streamEvent({ TechniqueId: 'T1059.001' })]);

    expect(result.detections[0]?.techniqueIds).toEqual(['T1059.001']);
  });

  it('reads behaviors of a detection entity', () => {
    const entity = {
      detection_id: 'ldt:abc:456',
      created_timestamp: '2024-05-02T08:15:00.123456Z',
      device: { device_id: 'aid-7', hostname: 'db-01', local_ip: '10.1.2.3' },
      behaviors: [
        { technique_id: 'T1059.001', technique: 'PowerShell' },
        { technique_id: 'T1003', technique: 'OS Credential Dumping' },
        { technique_id: 'T1059.001', technique: 'PowerShell' },
      ],
    };
    const result = parse([entity]);

    expect(result.detections[0]).toMatchObject({ detectionId: 'ldt:abc:456', hostName: 'db-01', hostId: 'aid-7', hostIp: '10.1.2.3' });
    expect(result.detections[0]?.techniqueIds).toEqual(['T1003', 'T1059.001']);
    expect(result.detections[0]?.detectedAt).toEqual(new Date('2024-05-02T08:15:00.123Z'));
  });

  it('rejects an invalid TechniqueId', () => {
    const error = catchImportFormatError(() => parse([streamEvent({}), streamEvent({ TechniqueId: 'Execution' })]));

    expect(error.file).toBe('falcon.json');
    expect(error.reason).toBe('[1].event.TechniqueId: invalid ATT&CK technique id "Execution": expected an id such as T1059 or T1059.001');
  });

  it('rejects a detection without id', () => {
    const error = catchImportFormatError(() => parse([streamEvent({ DetectId: '' })]));

    expect(error.reason).toBe('[0]: required field event.CompositeId or event.DetectId is missing');
  });

  it('rejects an unreadable time', () => {
    const event = streamEvent({});
    (event.metadata as Record<string, unknown>).eventCreationTime = 'yesterday';
    const error = catchImportFormatError(() => parse([event]));

    expect(error.reason).toMatch(/^\[0\]\.metadata\.eventCreationTime: invalid time "yesterday"/);
  });
});

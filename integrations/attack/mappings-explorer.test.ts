import { describe, expect, it } from 'vitest';

import { ImportFormatError } from '../../domain/errors.js';
import { catchImportFormatError } from '../../test/import-errors.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { parseMappingsExplorerKev, readMappingsExplorerKev } from './mappings-explorer.js';

const enterprisePath = sharedDataPath('attack', 'ctid_kev-07.28.2025_attack-16.1-enterprise.json');
const mobilePath = sharedDataPath('attack', 'ctid_kev-07.28.2025_attack-16.1-mobile.json');

function mappingFile(objects: Record<string, unknown>[], metadata: Record<string, unknown> = {}): string {
  return JSON.stringify({
    metadata: {
      technology_domain: 'enterprise',
      attack_version: '16.1',
      mapping_framework: 'kev',
      mapping_framework_version: '07/28/2025',
      ...metadata,
    },
    mapping_objects: objects,
  });
}

function mappingObject(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    capability_id: 'CVE-2024-3400',
    mapping_type: 'exploitation_technique',
    attack_object_id: 'T1190',
    attack_object_name: 'Exploit Public-Facing Application',
    status: 'complete',
    ...fields,
  };
}

describe('readMappingsExplorerKev real files', () => {
  it('enterprise counts', async () => {
    const result = await readMappingsExplorerKev(enterprisePath);
    const cves = new Set(result.mappings.map((mapping) => mapping.cve));

    // 1183: jq '.mapping_objects | length' ctid_kev-07.28.2025_attack-16.1-enterprise.json
    expect(result.mappings).toHaveLength(1183);
    // 419: jq '[.mapping_objects[].capability_id] | unique | length' ctid_kev-07.28.2025_attack-16.1-enterprise.json
    expect(cves.size).toBe(419);
    expect(result.unmapped).toBe(0);
  });

  it('enterprise metadata', async () => {
    const result = await readMappingsExplorerKev(enterprisePath);
    expect(result.attackDomain).toBe('enterprise');
    expect(result.attackVersion).toBe('16.1');
    expect(result.kevVersion).toBe('07/28/2025');
  });

  it('mobile counts', async () => {
    const result = await readMappingsExplorerKev(mobilePath);
    const cves = new Set(result.mappings.map((mapping) => mapping.cve));

    // 45 and 14: the same two jq commands on ctid_kev-07.28.2025_attack-16.1-mobile.json
    expect(result.attackDomain).toBe('mobile');
    expect(result.mappings).toHaveLength(45);
    expect(cves.size).toBe(14);
  });

  it('mapping types per type', async () => {
    const result = await readMappingsExplorerKev(enterprisePath);

    // 460: jq '[.mapping_objects[] | select(.mapping_type=="exploitation_technique")] | length' (same file)
    expect(result.mappings.filter((mapping) => mapping.mappingType === 'exploitation-technique')).toHaveLength(460);
  });

  it('maps a real CVE', async () => {
    const result = await readMappingsExplorerKev(enterprisePath);
    const moveit = result.mappings.filter((mapping) => mapping.cve === 'CVE-2023-34362');

    expect(moveit).toHaveLength(7);
    expect(moveit[0]).toEqual({
      cve: 'CVE-2023-34362',
      techniqueId: 'T1190',
      techniqueName: 'Exploit Public-Facing Application',
      mappingType: 'exploitation-technique',
      source: 'ctid-mappings-explorer',
    });
    expect(moveit[1]?.mappingType).toBe('primary-impact');
    expect(moveit[2]?.mappingType).toBe('secondary-impact');
  });
});

describe('parseMappingsExplorerKev', () => {
  it('object without technique is counted', () => {
    const text = mappingFile([mappingObject(), mappingObject({ attack_object_id: null, attack_object_name: null, status: 'non_mappable' })]);
    const result = parseMappingsExplorerKev(text, 'kev.json');
    expect(result.mappings).toHaveLength(1);
    expect(result.unmapped).toBe(1);
  });

  it('missing name leaves it out', () => {
    const result = parseMappingsExplorerKev(mappingFile([mappingObject({ attack_object_name: undefined })]), 'kev.json');
    expect(result.mappings[0]).not.toHaveProperty('techniqueName');
  });

  it('other framework is rejected', () => {
    const error = catchImportFormatError(() => parseMappingsExplorerKev(mappingFile([], { mapping_framework: 'nist_800_53' }), 'nist.json'));
    expect(error.reason).toContain('"nist_800_53" framework, expected "kev"');
  });

  it('invalid technique id names the object', () => {
    const text = mappingFile([mappingObject(), mappingObject({ capability_id: 'CVE-2023-34362', attack_object_id: 'TA0001' })]);
    const error = catchImportFormatError(() => parseMappingsExplorerKev(text, 'kev.json'));
    expect(error.reason).toContain('mapping_objects[1] (CVE-2023-34362)');
    expect(error.reason).toContain('attack_object_id');
  });

  it('unknown mapping type is rejected', () => {
    const error = catchImportFormatError(() => parseMappingsExplorerKev(mappingFile([mappingObject({ mapping_type: 'detection' })]), 'kev.json'));
    expect(error.reason).toContain('mapping_type');
  });

  it('missing mapping_objects is rejected', () => {
    const text = JSON.stringify({ metadata: JSON.parse(mappingFile([])).metadata });
    const error = catchImportFormatError(() => parseMappingsExplorerKev(text, 'kev.json'));
    expect(error.file).toBe('kev.json');
    expect(error.reason).toBe('required field "mapping_objects" is missing');
  });

  it('invalid JSON is rejected', () => {
    expect(() => parseMappingsExplorerKev('{"mapping_objects": [', 'kev.json')).toThrow(ImportFormatError);
  });
});

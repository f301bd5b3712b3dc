import { describe, expect, it } from 'vitest';
import { sharedDataPath } from '../../test/shared-data.js';
import { readAttackMappingFile } from './read-mapping-file.js';

describe('readAttackMappingFile', () => {
  it('names the first rejected CSV cells', async () => {
    const file = await readAttackMappingFile(sharedDataPath('attack', 'ctid_attack_to_cve_mappings.csv'));

    expect(file.format).toBe('ctid-attack-to-cve-csv');
    expect(file.rejectedExamples).toHaveLength(Math.min(10, file.rejected));
    expect(file.rejectedExamples[0]).toMatch(/^line \d+ CVE-\d{4}-\d+ .+: ".*"$/);
  });

  it('names no cells for the JSON form', async () => {
    const file = await readAttackMappingFile(sharedDataPath('attack', 'ctid_kev-07.28.2025_attack-16.1-enterprise.json'));

    expect(file.rejectedExamples).toEqual([]);
  });
});

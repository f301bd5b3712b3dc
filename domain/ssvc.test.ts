import { describe, expect, it } from 'vitest';

import {
  type SsvcAutomatable,
  type SsvcDecision,
  type SsvcEvidence,
  type SsvcExploitation,
  type SsvcMissionWellBeing,
  type SsvcTechnicalImpact,
  SSVC_DECISION_TABLE,
  assessSsvc,
  decideSsvc,
  deriveSsvcInputs,
} from './ssvc.js';

type Row = [SsvcExploitation, SsvcAutomatable, SsvcTechnicalImpact, SsvcMissionWellBeing, SsvcDecision];

// The CISA tree ("CISA Coordinator v2.0.3" in CERTCC/SSVC), typed in again from
// the published table rather than read from the module, so a wrong row in the
// module fails here.
const publishedTable: Row[] = [
  ['none', 'no', 'partial', 'low', 'Track'],
  ['none', 'no', 'partial', 'medium', 'Track'],
  ['none', 'no', 'partial', 'high', 'Track'],
  ['none', 'no', 'total', 'low', 'Track'],
  ['none', 'no', 'total', 'medium', 'Track'],
  ['none', 'no', 'total', 'high', 'Track*'],
  ['none', 'yes', 'partial', 'low', 'Track'],
  ['none', 'yes', 'partial', 'medium', 'Track'],
  ['none', 'yes', 'partial', 'high', 'Attend'],
  ['none', 'yes', 'total', 'low', 'Track'],
  ['none', 'yes', 'total', 'medium', 'Track'],
  ['none', 'yes', 'total', 'high', 'Attend'],
  ['poc', 'no', 'partial', 'low', 'Track'],
  ['poc', 'no', 'partial', 'medium', 'Track'],
  ['poc', 'no', 'partial', 'high', 'Track*'],
  ['poc', 'no', 'total', 'low', 'Track'],
  ['poc', 'no', 'total', 'medium', 'Track*'],
  ['poc', 'no', 'total', 'high', 'Attend'],
  ['poc', 'yes', 'partial', 'low', 'Track'],
  ['poc', 'yes', 'partial', 'medium', 'Track'],
  ['poc', 'yes', 'partial', 'high', 'Attend'],
  ['poc', 'yes', 'total', 'low', 'Track'],
  ['poc', 'yes', 'total', 'medium', 'Track*'],
  ['poc', 'yes', 'total', 'high', 'Attend'],
  ['active', 'no', 'partial', 'low', 'Track'],
  ['active', 'no', 'partial', 'medium', 'Track'],
  ['active', 'no', 'partial', 'high', 'Attend'],
  ['active', 'no', 'total', 'low', 'Track'],
  ['active', 'no', 'total', 'medium', 'Attend'],
  ['active', 'no', 'total', 'high', 'Act'],
  ['active', 'yes', 'partial', 'low', 'Attend'],
  ['active', 'yes', 'partial', 'medium', 'Attend'],
  ['active', 'yes', 'partial', 'high', 'Act'],
  ['active', 'yes', 'total', 'low', 'Attend'],
  ['active', 'yes', 'total', 'medium', 'Act'],
  ['active', 'yes', 'total', 'high', 'Act'],
];

describe('decideSsvc', () => {
  it.each(publishedTable)('E:%s A:%s TI:%s MW:%s is %s', (exploitation, automatable, technicalImpact, missionWellBeing, decision) => {
    expect(decideSsvc({ exploitation, automatable, technicalImpact, missionWellBeing })).toBe(decision);
  });

  it('table has 36 distinct rows', () => {
    const keys = new Set(SSVC_DECISION_TABLE.map((row) => `${row.exploitation}/${row.automatable}/${row.technicalImpact}/${row.missionWellBeing}`));
    expect(SSVC_DECISION_TABLE).toHaveLength(36);
    expect(keys.size).toBe(36);
  });

  it('value outside the tree is rejected', () => {
    const inputs = { exploitation: 'likely', automatable: 'yes', technicalImpact: 'total', missionWellBeing: 'high' };
    expect(() => decideSsvc(inputs as never)).toThrow(RangeError);
  });
});

const noEvidence: SsvcEvidence = { kev: false, epss: null, references: [], cvssVector: null, criticality: null };

describe('deriveSsvcInputs exploitation', () => {
  it('ADP value wins over KEV', () => {
    const inputs = deriveSsvcInputs({ ...noEvidence, kev: true, adp: { exploitation: 'poc' } });
    expect(inputs.exploitation.value).toBe('poc');
    expect(inputs.exploitation.source).toBe('adp');
  });

  it('ADP values compare case-insensitively', () => {
    // As in CISA's ADP container for CVE-2024-3400.
    const inputs = deriveSsvcInputs({
      ...noEvidence,
      adp: { exploitation: 'Active', automatable: 'Yes', technicalImpact: 'Total' },
    });
    expect(inputs.exploitation).toMatchObject({ value: 'active', source: 'adp' });
    expect(inputs.automatable).toMatchObject({ value: 'yes', source: 'adp' });
    expect(inputs.technicalImpact).toMatchObject({ value: 'total', source: 'adp' });
  });

  it('unknown ADP value falls back', () => {
    const inputs = deriveSsvcInputs({ ...noEvidence, kev: true, adp: { exploitation: 'unknown' } });
    expect(inputs.exploitation.value).toBe('active');
    expect(inputs.exploitation.source).toBe('kev');
    expect(inputs.exploitation.reason).toContain('ADP value "unknown"');
  });

  it('KEV is active', () => {
    const inputs = deriveSsvcInputs({ ...noEvidence, kev: true, epss: 0.001 });
    expect(inputs.exploitation).toMatchObject({ value: 'active', source: 'kev' });
  });

  it('Exploit reference is PoC', () => {
    const references = [
      { url: 'https://vendor.example/advisory', tags: ['Vendor Advisory'] },
      { url: 'https://exploit.example/poc', tags: ['Exploit', 'Third Party Advisory'] },
    ];
    const inputs = deriveSsvcInputs({ ...noEvidence, references });
    expect(inputs.exploitation.value).toBe('poc');
    expect(inputs.exploitation.source).toBe('reference');
    expect(inputs.exploitation.reason).toContain('https://exploit.example/poc');
  });

  it('EPSS at threshold is PoC', () => {
    const inputs = deriveSsvcInputs({ ...noEvidence, epss: 0.2 }, { epssPocThreshold: 0.2 });
    expect(inputs.exploitation).toMatchObject({ value: 'poc', source: 'epss' });
  });

  it('EPSS below threshold is none', () => {
    const inputs = deriveSsvcInputs({ ...noEvidence, epss: 0.19 }, { epssPocThreshold: 0.2 });
    expect(inputs.exploitation).toMatchObject({ value: 'none', source: 'default' });
  });

  it('no evidence is none', () => {
    const inputs = deriveSsvcInputs(noEvidence);
    expect(inputs.exploitation).toMatchObject({ value: 'none', source: 'default' });
  });

  it('EPSS outside 0..1 is rejected', () => {
    expect(() => deriveSsvcInputs({ ...noEvidence, epss: 12 })).toThrow('EPSS probability 12 is outside 0..1');
  });
});

describe('deriveSsvcInputs automatable', () => {
  it('v3 AV:N/AC:L/PR:N/UI:N is yes', () => {
    const inputs = deriveSsvcInputs({ ...noEvidence, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' });
    expect(inputs.automatable).toMatchObject({ value: 'yes', source: 'cvss' });
  });

  it('user interaction is no', () => {
    const inputs = deriveSsvcInputs({ ...noEvidence, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H' });
    expect(inputs.automatable).toMatchObject({ value: 'no', source: 'cvss' });
  });

  it('no vector is no by default', () => {
    const inputs = deriveSsvcInputs(noEvidence);
    expect(inputs.automatable).toMatchObject({ value: 'no', source: 'default', reason: 'no CVSS vector' });
  });

  it('invalid vector is no by default', () => {
    const inputs = deriveSsvcInputs({ ...noEvidence, cvssVector: 'CVSS:3.1/AV:N' });
    expect(inputs.automatable.value).toBe('no');
    expect(inputs.automatable.source).toBe('default');
    expect(inputs.automatable.reason).toContain('invalid CVSS vector');
  });
});

describe('deriveSsvcInputs technical impact', () => {
  it('C:H and I:H is total', () => {
    const inputs = deriveSsvcInputs({ ...noEvidence, cvssVector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N' });
    expect(inputs.technicalImpact).toMatchObject({ value: 'total', source: 'cvss' });
  });

  it('C:H alone is partial', () => {
    const inputs = deriveSsvcInputs({ ...noEvidence, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' });
    expect(inputs.technicalImpact).toMatchObject({ value: 'partial', source: 'cvss' });
  });

  it('v2 complete impact is total', () => {
    const inputs = deriveSsvcInputs({ ...noEvidence, cvssVector: 'AV:N/AC:L/Au:N/C:C/I:C/A:C' });
    expect(inputs.technicalImpact).toMatchObject({ value: 'total', source: 'cvss' });
  });

  it('v4 reads the vulnerable system', () => {
    const inputs = deriveSsvcInputs({
      ...noEvidence,
      cvssVector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:H/SI:H/SA:H',
    });
    expect(inputs.technicalImpact).toMatchObject({ value: 'partial', source: 'cvss' });
  });

  it('no vector is partial by default', () => {
    const inputs = deriveSsvcInputs(noEvidence);
    expect(inputs.technicalImpact).toMatchObject({ value: 'partial', source: 'default' });
  });
});

describe('deriveSsvcInputs mission and well-being', () => {
  it.each([
    [1, 'high'],
    [2, 'medium'],
    [3, 'low'],
    [4, 'low'],
  ] as const)('tier %i is %s', (criticality, expected) => {
    const inputs = deriveSsvcInputs({ ...noEvidence, criticality });
    expect(inputs.missionWellBeing).toMatchObject({ value: expected, source: 'asset' });
  });

  it('unknown tier is low by default', () => {
    const inputs = deriveSsvcInputs(noEvidence);
    expect(inputs.missionWellBeing).toMatchObject({ value: 'low', source: 'default' });
  });
});

describe('assessSsvc', () => {
  it('KEV network RCE on tier 1 is Act', () => {
    const result = assessSsvc({
      kev: true,
      epss: 0.94,
      references: [],
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      criticality: 1,
    });
    expect(result.decision).toBe('Act');
  });

  it('ADP values with a tier 3 asset', () => {
    // CISA's ADP container for CVE-2021-34527 (PrintNightmare): active, not automatable, total.
    const result = assessSsvc({
      ...noEvidence,
      adp: { exploitation: 'active', automatable: 'no', technicalImpact: 'total' },
      criticality: 3,
    });
    expect(result.decision).toBe('Track');
    expect(result.inputs.missionWellBeing.source).toBe('asset');
  });

  it('unscored CVE on unknown asset is Track', () => {
    expect(assessSsvc(noEvidence).decision).toBe('Track');
  });
});

import { describe, expect, it } from 'vitest';

import {
  getAttackVector,
  getImpactLevels,
  getPrivilegesRequired,
  isNetworkAutomatable,
  newestCvssMetric,
  parseCvssVector,
  requiresUserInteraction,
} from './cvss-vector.js';
import { catchErrorOf } from '../test/import-errors.js';
import { InvalidCvssVectorError } from './errors.js';
import type { CvssMetric } from './intel.js';

const parseError = (vector: string): InvalidCvssVectorError => catchErrorOf(InvalidCvssVectorError, () => parseCvssVector(vector));

describe('parseCvssVector', () => {
  it('v3.1 base metrics', () => {
    const parsed = parseCvssVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    expect(parsed.version).toBe('3.1');
    expect(parsed.metrics).toEqual({ AV: 'N', AC: 'L', PR: 'N', UI: 'N', S: 'U', C: 'H', I: 'H', A: 'H' });
  });

  it('v3.0 with temporal and environmental metrics', () => {
    const parsed = parseCvssVector('CVSS:3.0/AV:L/AC:H/PR:H/UI:N/S:C/C:L/I:L/A:N/E:F/RL:O/RC:C/MAV:N/CR:H');
    expect(parsed.version).toBe('3.0');
    expect(parsed.metrics.E).toBe('F');
    expect(parsed.metrics.MAV).toBe('N');
  });

  it('v4.0 with threat and supplemental metrics', () => {
    const parsed = parseCvssVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/AU:Y/U:Red');
    expect(parsed.version).toBe('4.0');
    expect(parsed.metrics.AT).toBe('N');
    expect(parsed.metrics.U).toBe('Red');
  });

  it('v2 plain, Nessus and NVD forms', () => {
    expect(parseCvssVector('AV:N/AC:L/Au:N/C:P/I:P/A:P').version).toBe('2.0');
    expect(parseCvssVector('CVSS2#AV:L/AC:H/Au:M/C:P/I:P/A:N').metrics.Au).toBe('M');
    expect(parseCvssVector('(AV:N/AC:M/Au:S/C:C/I:C/A:C)').metrics.C).toBe('C');
  });

  it('v2 with temporal metrics', () => {
    const parsed = parseCvssVector('AV:N/AC:L/Au:N/C:P/I:P/A:P/E:POC/RL:OF/RC:C');
    expect(parsed.metrics.E).toBe('POC');
  });

  it('surrounding white space is ignored', () => {
    expect(parseCvssVector('  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n').vector).toBe(
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    );
  });

  it('empty vector is rejected', () => {
    expect(parseError('  ').reason).toBe('the vector is empty');
  });

  it('unsupported version is rejected', () => {
    expect(parseError('CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P').reason).toContain('CVSS version "2.0" is not supported');
  });

  it('missing base metric is rejected', () => {
    const error = parseError('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H');
    expect(error.reason).toBe('base metrics I, A missing');
    expect(error.vector).toBe('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H');
  });

  it('invalid value is rejected', () => {
    expect(parseError('CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H').reason).toContain('metric AV has invalid value "X"');
  });

  it('metric of another version is rejected', () => {
    expect(parseError('CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/S:U/C:H/I:H/A:H').reason).toBe('"AT" is not a CVSS 3.1 metric');
  });

  it('repeated metric is rejected', () => {
    expect(parseError('CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H').reason).toBe('metric AV appears more than once');
  });

  it('part without colon is rejected', () => {
    expect(parseError('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/').reason).toBe('part "" is not of the form METRIC:VALUE');
  });

  it('inherited property names are not metrics', () => {
    expect(parseError('AV:N/AC:L/Au:N/C:P/I:P/A:P/constructor:X').reason).toBe('"constructor" is not a CVSS 2.0 metric');
  });

  it('temporal vector alone is rejected', () => {
    expect(parseError('CVSS:3.0/E:F/RL:O/RC:C').reason).toContain('base metrics');
  });

  it('error message names the vector', () => {
    expect(() => parseCvssVector('nonsense')).toThrow('invalid CVSS vector "nonsense"');
  });
});

describe('isNetworkAutomatable', () => {
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', true],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N', true],
    ['CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', false],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', false],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', false],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', false],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', true],
    ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', false],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', false],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', true],
    ['AV:N/AC:M/Au:N/C:P/I:P/A:P', false],
    ['AV:N/AC:L/Au:S/C:P/I:P/A:P', false],
  ])('%s is %s', (vector, expected) => {
    expect(isNetworkAutomatable(vector)).toBe(expected);
  });

  it('accepts a parsed vector', () => {
    expect(isNetworkAutomatable(parseCvssVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'))).toBe(true);
  });
});

describe('getImpactLevels', () => {
  it('v3 levels', () => {
    expect(getImpactLevels('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:N')).toEqual({
      confidentiality: 'high',
      integrity: 'low',
      availability: 'none',
    });
  });

  it('v2 complete is high and partial is low', () => {
    expect(getImpactLevels('AV:N/AC:L/Au:N/C:C/I:P/A:N')).toEqual({
      confidentiality: 'high',
      integrity: 'low',
      availability: 'none',
    });
  });

  it('v4 vulnerable-system impacts', () => {
    expect(getImpactLevels('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:H/VA:N/SC:H/SI:H/SA:H')).toEqual({
      confidentiality: 'low',
      integrity: 'high',
      availability: 'none',
    });
  });
});

describe('exploit conditions', () => {
  it('attack vector per version', () => {
    expect(getAttackVector('CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe('physical');
    expect(getAttackVector('CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBe('adjacent');
    expect(getAttackVector('AV:L/AC:L/Au:N/C:C/I:C/A:C')).toBe('local');
  });

  it('privileges required', () => {
    expect(getPrivilegesRequired('CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H')).toBe('low');
    expect(getPrivilegesRequired('CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBe('high');
    expect(getPrivilegesRequired('AV:L/AC:L/Au:N/C:C/I:C/A:C')).toBeNull();
  });

  it('user interaction', () => {
    expect(requiresUserInteraction('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H')).toBe(true);
    expect(requiresUserInteraction('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBe(true);
    expect(requiresUserInteraction('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBe(false);
    expect(requiresUserInteraction('AV:N/AC:M/Au:N/C:P/I:P/A:P')).toBeNull();
  });
});

describe('newestCvssMetric', () => {
  const metric = (version: CvssMetric['version'], baseScore: number, type = 'Primary'): CvssMetric => ({
    version,
    baseScore,
    vector: '',
    source: type === 'Primary' ? 'nvd@nist.gov' : 'cna@vendor.example',
    type,
  });

  it('newest version wins', () => {
    const picked = newestCvssMetric([metric('2.0', 10), metric('3.1', 9.8), metric('3.0', 9.1)]);
    expect(picked?.version).toBe('3.1');
  });

  it('v4 wins over v3.1', () => {
    expect(newestCvssMetric([metric('3.1', 9.8), metric('4.0', 9.3, 'Secondary')])?.version).toBe('4.0');
  });

  it('Primary wins within a version', () => {
    const picked = newestCvssMetric([metric('3.1', 7.5, 'Secondary'), metric('3.1', 9.8, 'Primary')]);
    expect(picked?.baseScore).toBe(9.8);
  });

  it('empty list is null', () => {
    expect(newestCvssMetric([])).toBeNull();
  });
});

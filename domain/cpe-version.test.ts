import { describe, expect, it } from 'vitest';

import { parseCpeName } from './cpe-name.js';
import { compareVersions, isVersionInCpeMatch } from './cpe-version.js';
import type { CpeMatch, CpeVersionRange } from './intel.js';

const NO_RANGE: CpeVersionRange = { startIncluding: null, startExcluding: null, endIncluding: null, endExcluding: null };

function match(criteria: string, range: Partial<CpeVersionRange> = {}): Pick<CpeMatch, 'cpe' | 'range'> {
  return { cpe: parseCpeName(criteria), range: { ...NO_RANGE, ...range } };
}

const sign = (left: string, right: string): number => Math.sign(compareVersions(left, right));

describe('compareVersions', () => {
  it('compares dotted numbers numerically', () => {
    expect(sign('1.10', '1.9')).toBe(1);
    expect(sign('11.9', '11.10')).toBe(-1);
    expect(sign('116.0.5845.186', '116.0.5845.187')).toBe(-1);
  });

  it('treats missing fields as zero', () => {
    expect(sign('115.0', '115.0.0')).toBe(0);
    expect(sign('115', '115.0.1')).toBe(-1);
  });

  it('ignores leading zeros', () => {
    expect(sign('2023.01.5', '2023.1.05')).toBe(0);
  });

  it('compares numbers of any length', () => {
    expect(sign('1.123456789012345678901', '1.123456789012345678900')).toBe(1);
  });

  it('puts pre-releases first', () => {
    expect(sign('1.0rc1', '1.0')).toBe(-1);
    expect(sign('2.0-beta', '2.0-rc1')).toBe(-1);
    expect(sign('2.0-alpha2', '2.0-alpha10')).toBe(-1);
  });

  it('puts letter suffixes after', () => {
    expect(sign('1.0.2', '1.0.2k')).toBe(-1);
    expect(sign('1.1.1a', '1.1.1b')).toBe(-1);
    expect(sign('10.2.9', '10.2.9-h1')).toBe(-1);
    expect(sign('10.2.9-h1', '10.2.9-h2')).toBe(-1);
    expect(sign('10.2.9-h12', '10.2.10')).toBe(-1);
  });

  it('puts a pre-release before a suffix', () => {
    expect(sign('3.0rc1', '3.0p1')).toBe(-1);
  });

  it('ignores case and separators', () => {
    expect(sign('1.0RC1', '1.0-rc.1')).toBe(0);
  });

  it('rejects a version without digits or letters', () => {
    expect(() => compareVersions('*', '1.0')).toThrow(RangeError);
    expect(() => compareVersions('1.0', '')).toThrow(/cannot compare the version ""/);
  });
});

describe('isVersionInCpeMatch', () => {
  // Ranges from CVE-2023-4863 (nvd_api2_CVE-2023-4863.json) and CVE-2023-35078 (fkie-cad).
  const chrome = match('cpe:2.3:a:google:chrome:*:*:*:*:*:*:*:*', { endExcluding: '116.0.5845.187' });
  const firefoxEsr = match('cpe:2.3:a:mozilla:firefox_esr:*:*:*:*:*:*:*:*', { startIncluding: '115.0', endExcluding: '115.2.1' });
  const ivanti = match('cpe:2.3:a:ivanti:endpoint_manager_mobile:*:*:*:*:*:*:*:*', { endIncluding: '11.10' });

  it('admits a version below an excluded end', () => {
    expect(isVersionInCpeMatch(chrome, '116.0.5845.186')).toBe(true);
  });

  it('rejects the excluded end', () => {
    expect(isVersionInCpeMatch(chrome, '116.0.5845.187')).toBe(false);
  });

  it('admits the included start', () => {
    expect(isVersionInCpeMatch(firefoxEsr, '115.0')).toBe(true);
    expect(isVersionInCpeMatch(firefoxEsr, '115.2.0')).toBe(true);
  });

  it('rejects below the start', () => {
    expect(isVersionInCpeMatch(firefoxEsr, '102.15.0')).toBe(false);
  });

  it('admits the included end', () => {
    expect(isVersionInCpeMatch(ivanti, '11.10')).toBe(true);
    expect(isVersionInCpeMatch(ivanti, '11.10.0.0')).toBe(true);
  });

  it('rejects past the included end', () => {
    expect(isVersionInCpeMatch(ivanti, '11.10.0.1')).toBe(false);
  });

  it('rejects an excluded start', () => {
    const after = match('cpe:2.3:a:example:tool:*:*:*:*:*:*:*:*', { startExcluding: '2.0' });

    expect(isVersionInCpeMatch(after, '2.0')).toBe(false);
    expect(isVersionInCpeMatch(after, '2.0.1')).toBe(true);
  });

  it('matches a fixed criteria version', () => {
    const fedora = match('cpe:2.3:o:fedoraproject:fedora:37:*:*:*:*:*:*:*');

    expect(isVersionInCpeMatch(fedora, '37')).toBe(true);
    expect(isVersionInCpeMatch(fedora, '37.0')).toBe(true);
    expect(isVersionInCpeMatch(fedora, '38')).toBe(false);
  });

  it('admits any version for *', () => {
    expect(isVersionInCpeMatch(match('cpe:2.3:a:example:tool:*:*:*:*:*:*:*:*'), '0.0.1')).toBe(true);
  });

  it('admits no version for -', () => {
    expect(isVersionInCpeMatch(match('cpe:2.3:h:example:router:-:*:*:*:*:*:*:*'), '1.0')).toBe(false);
  });

  it('matches a wildcard version', () => {
    const series = match('cpe:2.3:a:example:tool:1.2.*:*:*:*:*:*:*:*');

    expect(isVersionInCpeMatch(series, '1.2.7')).toBe(true);
    expect(isVersionInCpeMatch(series, '1.3.0')).toBe(false);
  });

  it('unescapes the criteria version', () => {
    expect(isVersionInCpeMatch(match('cpe:2.3:a:example:tool:2.0\\+1:*:*:*:*:*:*:*'), '2.0+1')).toBe(true);
  });
});

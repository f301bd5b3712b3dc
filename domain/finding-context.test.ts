import { describe, expect, it } from 'vitest';
import { assetContextFromTags, scannerCvssMetrics } from './finding-context.js';

describe('assetContextFromTags', () => {
  it('defaults to tier 2 and internal', () => {
    expect(assetContextFromTags({})).toEqual({ criticality: 2, criticalitySource: 'default', exposure: 'internal', exposureSource: 'default' });
  });

  it('reads a digit string tier', () => {
    expect(assetContextFromTags({ criticality: '1' }).criticality).toBe(1);
  });

  it('ignores an unknown tier and exposure', () => {
    const context = assetContextFromTags({ criticality: 7, exposure: 'dmz' });

    expect(context.criticalitySource).toBe('default');
    expect(context.exposureSource).toBe('default');
  });
});

describe('scannerCvssMetrics', () => {
  it('reads the v3 version from the prefix', () => {
    const [metric] = scannerCvssMetrics({ cvss3Score: 5, cvss3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N', cvss2Score: null, cvss2Vector: null }, 'qualys');

    expect(metric?.version).toBe('3.1');
    expect(metric?.source).toBe('qualys');
  });

  it('lists v2 after v3', () => {
    const metrics = scannerCvssMetrics({ cvss3Score: 5, cvss3Vector: null, cvss2Score: 4.3, cvss2Vector: 'CVSS2#AV:N/AC:M/Au:N/C:P/I:N/A:N' }, 'nessus');

    expect(metrics.map((metric) => metric.version)).toEqual(['3.0', '2.0']);
  });
});

import { describe, expect, it } from 'vitest';
import { applyTagChanges, canonicalTagKey, checkTagValue, describeHostKey, parseTagChanges } from './asset-tags.js';

describe('canonicalTagKey', () => {
  it('maps spellings to a known key', () => {
    expect(canonicalTagKey('Criticality')).toBe('criticality');
    expect(canonicalTagKey('maintenance_window')).toBe('maintenanceWindow');
    expect(canonicalTagKey('MAINTENANCE-WINDOW')).toBe('maintenanceWindow');
  });

  it('keeps a custom key as given', () => {
    expect(canonicalTagKey('business_service')).toBe('business_service');
  });

  it('rejects a key outside the pattern', () => {
    expect(canonicalTagKey('cost centre')).toBeNull();
    expect(canonicalTagKey('1st')).toBeNull();
    expect(canonicalTagKey('')).toBeNull();
    expect(canonicalTagKey('k'.repeat(65))).toBeNull();
  });
});

describe('checkTagValue', () => {
  it('stores a criticality string as a number', () => {
    expect(checkTagValue('criticality', ' 1 ')).toEqual({ ok: true, value: 1 });
    expect(checkTagValue('criticality', 4)).toEqual({ ok: true, value: 4 });
  });

  it('rejects criticality out of range', () => {
    for (const value of [0, 5, 1.5, '5', '1.0', 'high', null, true]) {
      const checked = checkTagValue('criticality', value);
      expect(checked.ok, String(value)).toBe(false);
    }
  });

  it('names the allowed exposures', () => {
    const checked = checkTagValue('exposure', 'dmz');

    expect(checked).toEqual({ ok: false, message: 'must be one of "internet-facing", "internal", "isolated"' });
  });

  it('accepts an exposure', () => {
    expect(checkTagValue('exposure', 'internet-facing')).toEqual({ ok: true, value: 'internet-facing' });
  });

  it('trims text', () => {
    expect(checkTagValue('owner', '  team-web ')).toEqual({ ok: true, value: 'team-web' });
  });

  it('rejects empty, long and multi-line text', () => {
    expect(checkTagValue('owner', ' ').ok).toBe(false);
    expect(checkTagValue('site', 'x'.repeat(201)).ok).toBe(false);
    expect(checkTagValue('location', 'rack 4\nrow 2').ok).toBe(false);
    expect(checkTagValue('business_service', 42).ok).toBe(false);
  });
});

describe('parseTagChanges', () => {
  it('returns canonical keys and removals', () => {
    const parsed = parseTagChanges({ Criticality: '2', exposure: 'isolated', owner: null, cost_centre: 'cc-17' });

    expect(parsed.problems).toEqual([]);
    expect(parsed.changes).toEqual({ criticality: 2, exposure: 'isolated', owner: null, cost_centre: 'cc-17' });
  });

  it('names every bad key', () => {
    const parsed = parseTagChanges({ criticality: 9, 'bad key': 'x', exposure: 'public' });

    expect(parsed.problems.map((problem) => problem.key)).toEqual(['criticality', 'bad key', 'exposure']);
  });

  it('rejects one tag given twice', () => {
    const parsed = parseTagChanges({ maintenanceWindow: 'Sat 02:00', maintenance_window: 'Sun 02:00' });

    expect(parsed.problems).toEqual([{ key: 'maintenance_window', message: 'sets the tag "maintenanceWindow", which "maintenanceWindow" already sets; give it once' }]);
  });
});

describe('applyTagChanges', () => {
  it('lists only changed keys', () => {
    const applied = applyTagChanges({ criticality: 2, owner: 'team-a', site: 'berlin' }, { criticality: 1, owner: 'team-a', site: null, exposure: null });

    expect(applied.tags).toEqual({ criticality: 1, owner: 'team-a' });
    expect(applied.diff).toEqual({ before: { criticality: 2, site: 'berlin' }, after: { criticality: 1, site: null } });
    expect(applied.changed).toBe(true);
  });

  it('reports no change for equal values', () => {
    const applied = applyTagChanges({ criticality: 1 }, { criticality: 1, owner: null });

    expect(applied.changed).toBe(false);
    expect(applied.diff).toEqual({ before: {}, after: {} });
  });

  it('treats prototype names as absent', () => {
    const removed = applyTagChanges({}, { constructor: null });
    const set = applyTagChanges({}, { toString: 'x' });

    expect(removed.changed).toBe(false);
    expect(set.diff).toEqual({ before: { toString: null }, after: { toString: 'x' } });
  });

  it('leaves the input alone', () => {
    const tags = { owner: 'team-a' };
    applyTagChanges(tags, { owner: null });

    expect(tags).toEqual({ owner: 'team-a' });
  });
});

describe('describeHostKey', () => {
  it('names each given column', () => {
    expect(describeHostKey({ assetId: null, hostname: 'web01', fqdn: null, ip: '10.0.0.5' })).toBe('hostname "web01", ip "10.0.0.5"');
  });
});

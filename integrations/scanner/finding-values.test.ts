import { describe, expect, it } from 'vitest';

import { ImportFormatError } from '../../domain/errors.js';
import { firstIpAddress, parseCveList, parseScore, parseVendorDate, presentValue } from './finding-values.js';

const AT = { file: 'scan.csv', line: 7 };

describe('parseVendorDate', () => {
  const cases: [input: string, expected: string][] = [
    ['2019/03/12', '2019-03-12'],
    ['2022-10-26T00:00:00Z', '2022-10-26'],
    ['06/07/2021 22:53:26', '2021-06-07'],
    ['Sep 30, 2022 12:00 PM', '2022-09-30'],
    ['Jan 5, 2021 10:24:08 MST', '2021-01-05'],
    ['11 Mar 2020 01:07PM GMT-0400', '2020-03-11'],
  ];

  for (const [input, expected] of cases) {
    it(`reads ${input}`, () => {
      expect(parseVendorDate(input, 'date', AT)).toBe(expected);
    });
  }

  it('returns null for N/A', () => {
    expect(parseVendorDate('N/A', 'date', AT)).toBeNull();
  });

  it('rejects an impossible day', () => {
    expect(() => parseVendorDate('2021-02-30', 'Patch Released', AT)).toThrow(ImportFormatError);
  });

  it('names the field in the error', () => {
    expect(() => parseVendorDate('soon', 'Patch Released', AT)).toThrow(/^scan\.csv:7: invalid Patch Released "soon"/);
  });
});

describe('parseCveList', () => {
  it('splits commas and spaces', () => {
    expect(parseCveList('CVE-2022-21619, CVE-2022-21624,CVE-2022-21619', AT)).toEqual(['CVE-2022-21619', 'CVE-2022-21624']);
  });

  it('rejects a malformed id', () => {
    expect(() => parseCveList('CVE-2022-1', AT)).toThrow('malformed CVE id "CVE-2022-1"; expected CVE-YYYY-NNNN');
  });
});

describe('parseScore', () => {
  it('reads negative zero as zero', () => {
    expect(parseScore('-0.0', 'cvssScore', AT)).toBe(0);
  });

  it('rejects a score above 10', () => {
    expect(() => parseScore('10.5', 'CVSS', AT)).toThrow('invalid CVSS "10.5"; expected a CVSS score from 0 to 10');
  });
});

describe('firstIpAddress', () => {
  it('takes the first address of a list', () => {
    expect(firstIpAddress('10.0.0.20,10.0.0.21')).toBe('10.0.0.20');
  });

  it('returns null for an invalid address', () => {
    expect(firstIpAddress('192.168.1.1001')).toBeNull();
  });
});

describe('presentValue', () => {
  it("treats Excel's quoted dash as empty", () => {
    expect(presentValue("'-")).toBeNull();
  });
});

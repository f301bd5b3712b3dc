import { describe, expect, it } from 'vitest';

import { parseCpeName, unescapeCpeValue } from './cpe-name.js';
import { catchErrorOf } from '../test/import-errors.js';
import { InvalidCpeNameError } from './errors.js';

const rejection = (text: string): InvalidCpeNameError => catchErrorOf(InvalidCpeNameError, () => parseCpeName(text));

describe('parseCpeName', () => {
  it('reads all eleven attributes', () => {
    const name = parseCpeName('cpe:2.3:o:microsoft:windows_10:1607:-:enterprise:en-us:*:*:x64:-');

    expect(name).toEqual({
      part: 'o',
      vendor: 'microsoft',
      product: 'windows_10',
      version: '1607',
      update: '-',
      edition: 'enterprise',
      language: 'en-us',
      swEdition: '*',
      targetSw: '*',
      targetHw: 'x64',
      other: '-',
    });
  });

  it('keeps escapes in values', () => {
    // From CVE-2022-1576 in nvd_api2_single_entry.json.
    const name = parseCpeName('cpe:2.3:a:themeisle:wp_maintenance_mode_\\&_coming_soon:*:*:*:*:*:wordpress:*:*');

    expect(name.product).toBe('wp_maintenance_mode_\\&_coming_soon');
    expect(name.targetSw).toBe('wordpress');
  });

  it('does not split on an escaped colon', () => {
    const name = parseCpeName('cpe:2.3:a:example:tool\\:kit:2.0:*:*:*:*:*:*:*');

    expect(name.product).toBe('tool\\:kit');
    expect(name.version).toBe('2.0');
  });

  it('accepts wildcards at either end', () => {
    expect(parseCpeName('cpe:2.3:a:example:tool:1.2.*:*:*:*:*:*:*:*').version).toBe('1.2.*');
    expect(parseCpeName('cpe:2.3:a:example:tool:??.1:*:*:*:*:*:*:*').version).toBe('??.1');
  });

  it('rejects another prefix', () => {
    expect(rejection('cpe:/a:google:chrome:116.0').reason).toBe('it does not start with "cpe:2.3:"');
  });

  it('rejects too few attributes', () => {
    const error = rejection('cpe:2.3:a:google:chrome:*:*:*:*:*:*:*');

    expect(error.reason).toMatch(/^it has 10 attributes after "cpe:2\.3:", expected 11 \(part, vendor, product,/);
  });

  it('rejects an unescaped colon', () => {
    expect(rejection('cpe:2.3:a:example:tool:kit:2.0:*:*:*:*:*:*:*').reason).toMatch(/^it has 12 attributes/);
  });

  it('rejects an empty attribute', () => {
    expect(rejection('cpe:2.3:a::chrome:*:*:*:*:*:*:*:*').reason).toMatch(/^the vendor attribute is empty/);
  });

  it('rejects an unknown part', () => {
    expect(rejection('cpe:2.3:x:google:chrome:*:*:*:*:*:*:*:*').reason).toBe('the part attribute is "x"; expected a, o, h, * or -');
  });

  it('rejects unescaped punctuation', () => {
    const error = rejection('cpe:2.3:a:example:c++:*:*:*:*:*:*:*:*');

    expect(error.reason).toBe('the product attribute "c++" contains "+", which must be escaped with a backslash');
  });

  it('rejects a space', () => {
    expect(rejection('cpe:2.3:a:example:my tool:*:*:*:*:*:*:*:*').reason).toMatch(/contains U\+0020, which a CPE name may not contain$/);
  });

  it('rejects an escaped letter', () => {
    expect(rejection('cpe:2.3:a:example:\\tool:*:*:*:*:*:*:*:*').reason).toMatch(/escapes "t"; only punctuation may follow a backslash$/);
  });

  it('rejects a trailing backslash', () => {
    expect(rejection('cpe:2.3:a:example:tool:*:*:*:*:*:*:*:\\').reason).toBe('it ends with a backslash that escapes nothing');
  });

  it('rejects a wildcard inside a value', () => {
    expect(rejection('cpe:2.3:a:example:tool:1.*.3:*:*:*:*:*:*:*').reason).toMatch(/has the wildcard "\*" inside it/);
  });

  it('rejects a malformed language', () => {
    expect(rejection('cpe:2.3:a:example:tool:1.0:*:*:english:*:*:*:*').reason).toMatch(/language attribute "english" is not a language tag/);
  });

  it('names the string in the message', () => {
    expect(rejection('cpe:2.3:a').message).toBe('invalid CPE 2.3 name "cpe:2.3:a": it has 1 attribute after "cpe:2.3:", expected 11 (part, vendor, product, version, update, edition, language, sw_edition, target_sw, target_hw, other)');
  });
});

describe('unescapeCpeValue', () => {
  it('drops escaping backslashes', () => {
    expect(unescapeCpeValue('wp_maintenance_mode_\\&_coming_soon')).toBe('wp_maintenance_mode_&_coming_soon');
    expect(unescapeCpeValue('a\\\\b')).toBe('a\\b');
  });
});

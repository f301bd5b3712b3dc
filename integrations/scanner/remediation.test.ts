import { describe, expect, it } from 'vitest';

import { fixedVersionsFromOutput, patchIdsFromCrossReferences } from './remediation.js';

describe('fixedVersionsFromOutput', () => {
  it('reads Nessus remote check output', () => {
    expect(fixedVersionsFromOutput('\n  Installed version : 2.4.7\n  Fixed version     : 2.4.58\n')).toEqual(['2.4.58']);
  });

  it('reads Nessus package check output', () => {
    const output = 'Remote package installed : tar-1.26-34\nShould be                : tar-1.26-35.amzn2.0.2\n';

    expect(fixedVersionsFromOutput(output)).toEqual(['tar-1.26-35.amzn2.0.2']);
  });

  it('returns nothing for other output', () => {
    expect(fixedVersionsFromOutput('The remote web server type is : Cowboy')).toEqual([]);
  });
});

describe('patchIdsFromCrossReferences', () => {
  it('reads .nessus references', () => {
    expect(patchIdsFromCrossReferences('MSKB:5003169;CWE:200;RHSA:2022:7002')).toEqual(['MSKB:5003169', 'RHSA:2022:7002']);
  });

  it('reads Tenable.sc references', () => {
    expect(patchIdsFromCrossReferences('MSKB #5003169,CWE #310')).toEqual(['MSKB:5003169']);
  });

  it('reads Tenable VM references', () => {
    expect(patchIdsFromCrossReferences('CVE=[CVE-2023-21835], USN=[5897-1, 5898-1]')).toEqual(['USN:5897-1', 'USN:5898-1']);
  });
});

/** Parses one Nessus file in a fresh process and prints its peak RSS in MB. */
import { readNessusV2 } from '../integrations/scanner/nessus-v2.js';

const file = process.argv[2];
if (!file) throw new Error('usage: nessus-rss-child.ts FILE');

let findings = 0;
for await (const report of readNessusV2(file)) findings += report.findings.length;
if (findings === 0) throw new Error(`no findings in ${file}`);

// resourceUsage().maxRSS is in kilobytes.
console.log((process.resourceUsage().maxRSS / 1024).toFixed(1));

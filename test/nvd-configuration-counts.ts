/**
 * Counts of the NVD configurations in every real NVD file of the shared data
 * folder (`sharedDataPath('intel', 'nvd')`), taken from the raw JSON with jq,
 * so the parser and the store are checked against counts they did not make:
 *
 *   configurations:  jq '[.. | .configurations? // empty | length] | add // 0' FILE
 *   cpeMatch:        jq '[.. | .cpeMatch? // empty | length] | add // 0' FILE
 *   vendor:product:  jq '[.. | .criteria? // empty | split(":") | .[3:5] | join(":")] | unique | length' FILE
 *
 * Splitting on ":" is exact here because no criteria in these files has an
 * escaped colon: `grep -c '\\\\:' FILE` prints 0 for each.
 */
export interface NvdConfigurationCounts {
  /** Path below `intel/nvd`. */
  file: string;
  configurations: number;
  cpeMatches: number;
  /** Distinct vendor:product pairs over all criteria of the file. */
  products: number;
}

export const NVD_CONFIGURATION_COUNTS: readonly NvdConfigurationCounts[] = [
  { file: 'nvd_api2_CVE-2023-4863.json', configurations: 6, cpeMatches: 14, products: 8 },
  { file: 'nvd_api2_CVE-2024-3094.json', configurations: 1, cpeMatches: 2, products: 1 },
  { file: 'nvd_api2_page_38_results.json', configurations: 25, cpeMatches: 56, products: 9 },
  { file: 'nvd_api2_single_entry.json', configurations: 1, cpeMatches: 1, products: 1 },
  { file: 'fkie-cad/CVE-2023-0669.json', configurations: 1, cpeMatches: 1, products: 1 },
  { file: 'fkie-cad/CVE-2023-34362.json', configurations: 1, cpeMatches: 9, products: 2 },
  { file: 'fkie-cad/CVE-2023-35078.json', configurations: 1, cpeMatches: 1, products: 1 },
  { file: 'fkie-cad/CVE-2023-42793.json', configurations: 1, cpeMatches: 1, products: 1 },
  { file: 'fkie-cad/CVE-2023-4966.json', configurations: 1, cpeMatches: 9, products: 2 },
  { file: 'fkie-cad/CVE-2024-23897.json', configurations: 1, cpeMatches: 2, products: 1 },
  { file: 'fkie-cad/CVE-2024-27198.json', configurations: 1, cpeMatches: 1, products: 1 },
  { file: 'fkie-cad/CVE-2024-3400.json', configurations: 0, cpeMatches: 0, products: 0 },
];

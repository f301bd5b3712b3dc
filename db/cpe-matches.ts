/**
 * Reads the NVD configurations of a CVE back from `vulnerability_cpe_matches`,
 * which `storeNvdRecords` fills with one row per CPE match.
 */
import { parseCpeName } from '../domain/cpe-name.js';
import type { CpeConfiguration, CpeNode, CpeOperator } from '../domain/intel.js';
import type { Queryable } from './cve-intel.js';

interface CpeMatchRow {
  configuration_index: number;
  configuration_operator: CpeOperator;
  configuration_negate: boolean;
  node_index: number;
  node_operator: CpeOperator;
  node_negate: boolean;
  vulnerable: boolean;
  criteria: string;
  match_criteria_id: string;
  version_start_including: string | null;
  version_start_excluding: string | null;
  version_end_including: string | null;
  version_end_excluding: string | null;
}

/**
 * Returns the configurations of one CVE in record order, or an empty list when
 * none are stored. A node without CPE matches has no row, so it is not returned.
 */
export async function cpeConfigurationsOf(database: Queryable, cve: string): Promise<CpeConfiguration[]> {
  const rows = await database.query<CpeMatchRow>(
    `SELECT configuration_index, configuration_operator, configuration_negate, node_index, node_operator, node_negate,
            vulnerable, criteria, match_criteria_id, version_start_including, version_start_excluding,
            version_end_including, version_end_excluding
       FROM vulnerability_cpe_matches WHERE cve = $1
      ORDER BY configuration_index, node_index, match_index`,
    [cve],
  );

  const configurations = new Map<number, CpeConfiguration>();
  const nodes = new Map<string, CpeNode>();
  for (const row of rows) {
    let configuration = configurations.get(row.configuration_index);
    if (configuration === undefined) {
      configuration = { operator: row.configuration_operator, negate: row.configuration_negate, nodes: [] };
      configurations.set(row.configuration_index, configuration);
    }

    const nodeKey = `${row.configuration_index}/${row.node_index}`;
    let node = nodes.get(nodeKey);
    if (node === undefined) {
      node = { operator: row.node_operator, negate: row.node_negate, matches: [] };
      nodes.set(nodeKey, node);
      configuration.nodes.push(node);
    }

    // Only storeNvdRecords writes these rows, from criteria the NVD parser accepted, so parsing them again does not throw.
    node.matches.push({
      vulnerable: row.vulnerable,
      criteria: row.criteria,
      matchCriteriaId: row.match_criteria_id,
      cpe: parseCpeName(row.criteria),
      range: {
        startIncluding: row.version_start_including,
        startExcluding: row.version_start_excluding,
        endIncluding: row.version_end_including,
        endExcluding: row.version_end_excluding,
      },
    });
  }
  return [...configurations.values()];
}

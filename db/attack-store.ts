/**
 * Stores ATT&CK technique mappings of CVEs (CTID attack_to_cve CSV, CTID
 * Mappings Explorer KEV files) and reads them back per CVE.
 */
import { Readable } from 'node:stream';
import { type AttackMapping, parentTechnique } from '../domain/attack.js';
import type { Tx } from './client.js';
import { copyLine } from './copy-text.js';
import type { Queryable } from './cve-intel.js';

/**
 * Adds mappings; a mapping already stored (same CVE, technique, type and source)
 * is kept. Nothing is removed, because one source comes in several files (the
 * Mappings Explorer has one per ATT&CK domain).
 */
export async function storeAttackMappings(tx: Tx, mappings: readonly AttackMapping[]): Promise<{ mappings: number; added: number }> {
  await tx.query('CREATE TEMP TABLE attack_stage (LIKE attack_mappings) ON COMMIT DROP');
  await tx.copyFrom(
    'COPY attack_stage (cve, technique_id, technique_name, mapping_type, source) FROM STDIN',
    Readable.from(
      mappings.map((mapping) => copyLine([mapping.cve, mapping.techniqueId, mapping.techniqueName ?? null, mapping.mappingType, mapping.source])),
    ),
  );

  const added = await tx.query(
    `INSERT INTO attack_mappings (cve, technique_id, technique_name, mapping_type, source)
     SELECT DISTINCT ON (cve, technique_id, mapping_type, source) cve, technique_id, technique_name, mapping_type, source
       FROM attack_stage
      ORDER BY cve, technique_id, mapping_type, source, technique_name NULLS LAST
     ON CONFLICT DO NOTHING
     RETURNING 1`,
  );
  return { mappings: mappings.length, added: added.length };
}

/** Returns the stored mappings of one CVE, ordered by technique. */
export async function attackMappingsOf(database: Queryable, cve: string): Promise<AttackMapping[]> {
  const rows = await database.query<{ technique_id: string; technique_name: string | null; mapping_type: AttackMapping['mappingType']; source: AttackMapping['source'] }>(
    `SELECT technique_id, technique_name, mapping_type, source FROM attack_mappings WHERE cve = $1
      ORDER BY technique_id, mapping_type, source`,
    [cve],
  );
  return rows.map((row) => ({
    cve,
    techniqueId: row.technique_id,
    ...(row.technique_name === null ? {} : { techniqueName: row.technique_name }),
    mappingType: row.mapping_type,
    source: row.source,
  }));
}

/** Returns the CVEs mapped to a technique that shares a parent with one of `techniqueIds`, ordered. */
export async function cvesMappedToTechniques(database: Queryable, techniqueIds: readonly string[]): Promise<string[]> {
  const parents = [...new Set(techniqueIds.map(parentTechnique))];
  const rows = await database.query<{ cve: string }>(
    `SELECT DISTINCT cve FROM attack_mappings WHERE split_part(technique_id, '.', 1) = ANY($1) ORDER BY cve`,
    [parents],
  );
  return rows.map((row) => row.cve);
}

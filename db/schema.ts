/**
 * The engine's tables. Postgres is the system of record, and Temporal keeps workflow
 * state. Migrations under `db/migrations/` are generated from this file by
 * drizzle-kit, plus hand-written ones for what drizzle cannot express (the EPSS
 * partitions and the audit log's append-only trigger).
 */

import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const createdAt = (name = 'created_at') => timestamp(name, { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** A named caller (person or system) with roles; API keys belong to principals. */
export const principals = pgTable('principals', {
  name: text('name').primaryKey(),
  roles: text('roles').array().notNull(),
  createdAt: createdAt(),
});

export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  principal: text('principal')
    .notNull()
    .references(() => principals.name),
  /** SHA-256 of the whole key, hex; the key itself is never stored. */
  keyHash: text('key_hash').notNull().unique(),
  createdAt: createdAt(),
  revokedAt: stamp('revoked_at'),
  lastUsedAt: stamp('last_used_at'),
});

export interface AssetTags {
  function?: string;
  location?: string;
  site?: string;
  /** Tier 1 (most critical) to 4. */
  criticality?: number;
  exposure?: 'internet-facing' | 'internal' | 'isolated';
  owner?: string;
  lifecycle?: string;
  maintenanceWindow?: string;
}

export const assets = pgTable(
  'assets',
  {
    id: text('id').primaryKey(),
    hostname: text('hostname').notNull(),
    fqdn: text('fqdn'),
    ip: text('ip'),
    netbiosName: text('netbios_name'),
    os: text('os'),
    macAddress: text('mac_address'),
    scannerAssetId: text('scanner_asset_id'),
    tags: jsonb('tags').$type<AssetTags>().notNull().default({}),
    firstSeen: createdAt('first_seen'),
    lastSeen: stamp('last_seen').notNull().defaultNow(),
  },
  (t) => [
    index('assets_fqdn_idx').on(t.fqdn),
    index('assets_ip_idx').on(t.ip),
    index('assets_hostname_idx').on(t.hostname),
    // Serves the `tag` filter of the prioritized listing (`tags @> {...}`).
    index('assets_tags_idx').using('gin', t.tags.op('jsonb_path_ops')),
  ],
);

export const vulnerabilities = pgTable('vulnerabilities', {
  cve: text('cve').primaryKey(),
  kev: boolean('kev').notNull().default(false),
  kevDateAdded: date('kev_date_added'),
  kevDueDate: date('kev_due_date'),
  kevRansomware: text('kev_ransomware'),
  kevVendorProject: text('kev_vendor_project'),
  kevProduct: text('kev_product'),
  kevName: text('kev_name'),
  kevRequiredAction: text('kev_required_action'),
  kevNotes: text('kev_notes'),
  kevCwes: text('kev_cwes').array(),
  /** Set when a newer KEV catalog no longer lists the CVE; the row is kept. */
  kevRemovedAt: stamp('kev_removed_at'),
  nvdStatus: text('nvd_status'),
  description: text('description'),
  published: stamp('published'),
  lastModified: stamp('last_modified'),
  cvssScore: real('cvss_score'),
  cvssVersion: text('cvss_version'),
  cvssVector: text('cvss_vector'),
  cvssSource: text('cvss_source'),
  cwes: text('cwes').array(),
  /** Every CVSS metric NVD lists (all versions and sources). */
  metrics: jsonb('metrics'),
  references: jsonb('references'),
  updatedAt: stamp('updated_at').notNull().defaultNow(),
});

/**
 * NVD configurations, one row per `cpeMatch` entry, so software can be matched
 * by vendor and product. Each NVD import of a CVE replaces all of its rows. The
 * operator and negate flag of a configuration or node repeat on each of its
 * rows, and the indexes give the record's order. Vendor, product and version
 * are the criteria's attributes with their CPE escapes.
 */
export const vulnerabilityCpeMatches = pgTable(
  'vulnerability_cpe_matches',
  {
    cve: text('cve')
      .notNull()
      .references(() => vulnerabilities.cve, { onDelete: 'cascade' }),
    configurationIndex: integer('configuration_index').notNull(),
    /** `AND` or `OR`. */
    configurationOperator: text('configuration_operator').notNull(),
    configurationNegate: boolean('configuration_negate').notNull(),
    nodeIndex: integer('node_index').notNull(),
    nodeOperator: text('node_operator').notNull(),
    nodeNegate: boolean('node_negate').notNull(),
    matchIndex: integer('match_index').notNull(),
    vulnerable: boolean('vulnerable').notNull(),
    /** CPE 2.3 formatted string. */
    criteria: text('criteria').notNull(),
    matchCriteriaId: text('match_criteria_id').notNull(),
    part: text('part').notNull(),
    vendor: text('vendor').notNull(),
    product: text('product').notNull(),
    version: text('version').notNull(),
    versionStartIncluding: text('version_start_including'),
    versionStartExcluding: text('version_start_excluding'),
    versionEndIncluding: text('version_end_including'),
    versionEndExcluding: text('version_end_excluding'),
  },
  (t) => [
    primaryKey({ name: 'vulnerability_cpe_matches_pk', columns: [t.cve, t.configurationIndex, t.nodeIndex, t.matchIndex] }),
    index('vulnerability_cpe_matches_product_idx').on(t.vendor, t.product),
  ],
);

/** One row per imported EPSS file; the newest `score_date` is "current". */
export const epssFiles = pgTable('epss_files', {
  scoreDate: date('score_date').primaryKey(),
  modelVersion: text('model_version'),
  rowCount: integer('row_count').notNull(),
  source: text('source').notNull(),
  importedAt: createdAt('imported_at'),
});

/**
 * CISA's SSVC decision points and KEV listing from the ADP container of a CVE JSON 5
 * record (Vulnrichment), one row per CVE. Values are kept as CISA wrote them
 * (`active` and `Active` both occur).
 */
export const vulnerabilitySsvc = pgTable('vulnerability_ssvc', {
  cve: text('cve').primaryKey(),
  exploitation: text('exploitation'),
  automatable: text('automatable'),
  technicalImpact: text('technical_impact'),
  /** SSVC version, such as `2.0.3`. */
  ssvcVersion: text('ssvc_version'),
  /** Such as `CISA Coordinator`. */
  ssvcRole: text('ssvc_role'),
  assessedAt: stamp('assessed_at'),
  kevDateAdded: date('kev_date_added'),
  kevReference: text('kev_reference'),
  /** Every CVSS metric of the record's CNA and ADP containers (`Cve5Metric[]`). */
  metrics: jsonb('metrics').notNull(),
  /** `dateUpdated` of the CVE record. */
  recordUpdatedAt: stamp('record_updated_at'),
  /** File the row came from. */
  source: text('source').notNull(),
  updatedAt: stamp('updated_at').notNull().defaultNow(),
});

/** Advisories in the OSV format (GHSA, PYSEC, GO, RHSA, ...), one row per advisory id. */
export const osvAdvisories = pgTable(
  'osv_advisories',
  {
    id: text('id').primaryKey(),
    modified: stamp('modified').notNull(),
    published: stamp('published'),
    withdrawn: stamp('withdrawn'),
    summary: text('summary').notNull(),
    aliases: text('aliases').array().notNull(),
    /** CVE ids among the advisory's id, aliases and upstream ids. */
    cves: text('cves').array().notNull(),
    /** Affected packages with their ranges and versions (`OsvAffected[]`). */
    affected: jsonb('affected').notNull(),
    /** CVSS vectors or other ratings (`OsvSeverity[]`). */
    severity: jsonb('severity').notNull(),
    source: text('source').notNull(),
    updatedAt: stamp('updated_at').notNull().defaultNow(),
  },
  (t) => [index('osv_advisories_cves_idx').using('gin', t.cves)],
);

/**
 * Sync state per feed. For the NVD CVE API, the end of the last synced window,
 * where the next sync resumes. For a feed downloaded whole (KEV, EPSS), the
 * time of its last import and the HTTP validators of the imported copy.
 */
export const feedCursors = pgTable('feed_cursors', {
  feed: text('feed').primaryKey(),
  syncedUntil: stamp('synced_until').notNull(),
  /** Feed URL without user name and password. The validators apply to this URL only. */
  url: text('url'),
  /** `ETag` response header of the imported copy. */
  etag: text('etag'),
  /** `Last-Modified` response header of the imported copy, as the server sent it. */
  lastModified: text('last_modified'),
  updatedAt: stamp('updated_at').notNull().defaultNow(),
});

export const findings = pgTable(
  'findings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    assetId: text('asset_id')
      .notNull()
      .references(() => assets.id),
    scanner: text('scanner').notNull(),
    itemId: text('item_id').notNull(),
    port: integer('port').notNull(),
    protocol: text('protocol').notNull(),
    itemName: text('item_name').notNull(),
    serviceName: text('service_name'),
    severity: smallint('severity').notNull(),
    informational: boolean('informational').notNull(),
    cves: text('cves').array().notNull(),
    cvss3Score: real('cvss3_score'),
    cvss3Vector: text('cvss3_vector'),
    cvss2Score: real('cvss2_score'),
    cvss2Vector: text('cvss2_vector'),
    synopsis: text('synopsis'),
    solution: text('solution'),
    patchPublicationDate: date('patch_publication_date'),
    /** Versions that fix the item, as the scanner states them (empty when it states none). */
    fixedVersions: text('fixed_versions').array().notNull().default(sql`'{}'::text[]`),
    /** Vendor patch or advisory ids (KB numbers, RHSA ids, ...), as the scanner states them. */
    patchIds: text('patch_ids').array().notNull().default(sql`'{}'::text[]`),
    exploitAvailable: boolean('exploit_available').notNull().default(false),
    status: text('status').$type<'open' | 'fixed'>().notNull().default('open'),
    firstSeen: createdAt('first_seen'),
    lastSeen: stamp('last_seen').notNull().defaultNow(),
    fixedAt: stamp('fixed_at'),
  },
  (t) => [
    uniqueIndex('findings_key_idx').on(t.assetId, t.scanner, t.itemId, t.port, t.protocol),
    index('findings_cves_idx').using('gin', t.cves),
  ],
);

/**
 * The stored risk score of each open, non-informational finding, recomputed by
 * `rescoreFindings` after every import. A finding that is fixed or informational
 * has no row. `asset_id`, `kev` and `due_at` are copies of facts about the
 * finding, kept here so the prioritized listing filters and sorts on this table
 * alone and joins the rest only for the rows of one page. The explanation lives
 * in `finding_score_explanations`, because at about 1.3 kB a row it would make
 * this table ten times wider and every index walk of the listing read that much
 * more.
 */
export const findingScores = pgTable(
  'finding_scores',
  {
    findingId: bigint('finding_id', { mode: 'number' })
      .primaryKey()
      .references(() => findings.id, { onDelete: 'cascade' }),
    assetId: text('asset_id').notNull(),
    /** 0..100 with two decimals, exact, so a cursor can carry it as text. */
    score: numeric('score', { precision: 5, scale: 2 }).notNull(),
    priority: text('priority').$type<'P1' | 'P2' | 'P3' | 'P4'>().notNull(),
    ssvcDecision: text('ssvc_decision').$type<'Track' | 'Track*' | 'Attend' | 'Act'>().notNull(),
    /** Any CVE of the finding is in CISA KEV. */
    kev: boolean('kev').notNull(),
    /** SLA deadline of the finding. */
    dueAt: stamp('due_at').notNull(),
    /** The CVE whose score is the finding's score, or null for a finding that names none. */
    topCve: text('top_cve'),
    /** When the score, priority, decision, due date or explanation last changed. */
    scoredAt: stamp('scored_at').notNull().defaultNow(),
  },
  // Ascending on purpose: read backwards, these serve `ORDER BY score DESC,
  // finding_id DESC` (whose NULLS FIRST default a DESC NULLS LAST index would not).
  (t) => [
    index('finding_scores_rank_idx').on(t.score, t.findingId),
    index('finding_scores_priority_rank_idx').on(t.priority, t.score, t.findingId),
    index('finding_scores_asset_idx').on(t.assetId),
  ],
);

/** The explanation of each stored score, one row per `finding_scores` row. */
export const findingScoreExplanations = pgTable('finding_score_explanations', {
  findingId: bigint('finding_id', { mode: 'number' })
    .primaryKey()
    .references(() => findingScores.findingId, { onDelete: 'cascade' }),
  /** Factors, SSVC inputs and asset context behind the score (`FindingScoreExplanation`). */
  explanation: jsonb('explanation').notNull(),
  /** SHA-256 of every stored value of the score and its explanation, so a rescore skips rows that did not change. */
  digest: text('digest').notNull(),
});

/** ATT&CK techniques linked to CVEs by the CTID data sets, one row per CVE, technique, type and source. */
export const attackMappings = pgTable(
  'attack_mappings',
  {
    cve: text('cve').notNull(),
    techniqueId: text('technique_id').notNull(),
    techniqueName: text('technique_name'),
    mappingType: text('mapping_type').notNull(),
    source: text('source').notNull(),
  },
  (t) => [primaryKey({ columns: [t.cve, t.techniqueId, t.mappingType, t.source] })],
);

/**
 * ATT&CK techniques seen in the fleet, one row per vendor, detection and
 * technique, so importing an EDR export again adds nothing. EDR imports write
 * the rows, with `source` `edr`. Incident sightings are not stored: scoring
 * derives them from `incidents` and `attack_mappings`, so they follow mappings
 * imported after the incident opened.
 */
export const techniqueSightings = pgTable(
  'technique_sightings',
  {
    /** Technique or sub-technique id, such as `T1218` or `T1059.001`. */
    techniqueId: text('technique_id').notNull(),
    source: text('source').$type<'edr' | 'incident'>().notNull(),
    /** EDR product, such as `crowdstrike` or `microsoft-defender`. */
    vendor: text('vendor').notNull(),
    /** The vendor's detection or alert id. */
    detectionId: text('detection_id').notNull(),
    /** The asset whose host name or IP address matched the detection's host, or null. */
    assetId: text('asset_id').references(() => assets.id, { onDelete: 'set null' }),
    hostName: text('host_name'),
    /** The vendor's agent or device id. */
    hostId: text('host_id'),
    hostIp: text('host_ip'),
    /** When the EDR detected the technique. */
    seenAt: stamp('seen_at').notNull(),
    importedAt: createdAt('imported_at'),
  },
  (t) => [
    primaryKey({ columns: [t.vendor, t.detectionId, t.techniqueId] }),
    index('technique_sightings_seen_idx').on(t.seenAt),
    check('technique_sightings_source_check', sql`${t.source} IN ('edr', 'incident')`),
  ],
);

/** One row per import run, so an operator can see what came in and when. */
export const imports = pgTable('imports', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  kind: text('kind').notNull(),
  source: text('source').notNull(),
  sha256: text('sha256').notNull(),
  counts: jsonb('counts').$type<Record<string, number>>().notNull(),
  importedBy: text('imported_by').notNull(),
  importedAt: createdAt('imported_at'),
});

export const incidents = pgTable(
  'incidents',
  {
    id: text('id').primaryKey(),
    source: text('source').notNull(),
    ticketId: text('ticket_id').notNull(),
    title: text('title').notNull(),
    /** Every CVE the ticket (and later `addCves` calls) named. */
    cves: text('cves').array().notNull(),
    workflowId: text('workflow_id').notNull(),
    requestedBy: text('requested_by').notNull(),
    reportedBy: text('reported_by').notNull(),
    phase: text('phase').notNull(),
    priority: text('priority'),
    slaDueAt: stamp('sla_due_at'),
    summary: text('summary'),
    createdAt: createdAt(),
    closedAt: stamp('closed_at'),
  },
  (t) => [uniqueIndex('incidents_ticket_idx').on(t.source, t.ticketId)],
);

export const incidentCves = pgTable(
  'incident_cves',
  {
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id),
    cve: text('cve').notNull(),
    kev: boolean('kev').notNull(),
    kevDueDate: date('kev_due_date'),
    epss: doublePrecision('epss'),
    cvss: real('cvss'),
    cvssSource: text('cvss_source').notNull(),
    priority: text('priority').notNull(),
    reasons: jsonb('reasons').$type<string[]>().notNull(),
    clockStartAt: stamp('clock_start_at').notNull(),
    slaDueAt: stamp('sla_due_at').notNull(),
    pastCisaDueDate: boolean('past_cisa_due_date').notNull(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.cve] })],
);

export const incidentAssets = pgTable(
  'incident_assets',
  {
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id),
    assetId: text('asset_id')
      .notNull()
      .references(() => assets.id),
    action: text('action').notNull(),
    state: text('state').notNull(),
    detail: text('detail').notNull().default(''),
    updatedAt: stamp('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.assetId] }), index('incident_assets_asset_idx').on(t.assetId)],
);

export const escalations = pgTable(
  'escalations',
  {
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id),
    cve: text('cve').notNull(),
    fraction: real('fraction').notNull(),
    recipient: text('recipient').notNull(),
    reason: text('reason').notNull(),
    dueAt: stamp('due_at').notNull(),
    sentAt: stamp('sent_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.cve, t.fraction] })],
);

export const patches = pgTable('patches', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  artifact: text('artifact').notNull(),
  digestSha256: text('digest_sha256').notNull(),
  signature: text('signature'),
  sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
  rollbackSupported: boolean('rollback_supported').notNull(),
  cves: text('cves').array().notNull(),
  solution: text('solution'),
  createdAt: createdAt(),
});

export const rollouts = pgTable('rollouts', {
  id: text('id').primaryKey(),
  incidentId: text('incident_id').references(() => incidents.id),
  state: text('state').notNull(),
  requestedBy: text('requested_by').notNull(),
  createdAt: createdAt(),
  finishedAt: stamp('finished_at'),
});

export const deployments = pgTable('deployments', {
  id: text('id').primaryKey(),
  rolloutId: text('rollout_id').notNull(),
  assetId: text('asset_id')
    .notNull()
    .references(() => assets.id),
  patchId: text('patch_id')
    .notNull()
    .references(() => patches.id),
  state: text('state').notNull(),
  detail: text('detail').notNull().default(''),
  startedAt: createdAt('started_at'),
  finishedAt: stamp('finished_at'),
});

export const exceptions = pgTable(
  'exceptions',
  {
    id: text('id').primaryKey(),
    incidentId: text('incident_id').references(() => incidents.id),
    assetId: text('asset_id')
      .notNull()
      .references(() => assets.id),
    cves: text('cves').array().notNull(),
    requestedBy: text('requested_by').notNull(),
    reason: text('reason').notNull(),
    state: text('state').$type<'pending' | 'approved' | 'denied'>().notNull(),
    workflowId: text('workflow_id').notNull(),
    mitigationId: text('mitigation_id'),
    expiresAt: stamp('expires_at'),
    createdAt: createdAt(),
  },
  (t) => [index('exceptions_asset_idx').on(t.assetId)],
);

export const approvals = pgTable('approvals', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  exceptionId: text('exception_id')
    .notNull()
    .references(() => exceptions.id),
  principal: text('principal').notNull(),
  decision: text('decision').notNull(),
  comment: text('comment').notNull(),
  decidedAt: stamp('decided_at').notNull(),
});

export const mitigations = pgTable(
  'mitigations',
  {
    id: text('id').primaryKey(),
    exceptionId: text('exception_id').notNull(),
    assetId: text('asset_id').notNull(),
    kind: text('kind').notNull(),
    cves: text('cves').array().notNull(),
    state: text('state').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('mitigations_asset_idx').on(t.assetId)],
);

export const quarantines = pgTable('quarantines', {
  id: text('id').primaryKey(),
  incidentId: text('incident_id').references(() => incidents.id),
  assetId: text('asset_id')
    .notNull()
    .references(() => assets.id),
  detectionId: text('detection_id').notNull(),
  containmentId: text('containment_id'),
  state: text('state').notNull(),
  createdAt: createdAt(),
});

/**
 * Hash-chained, append-only log. `hash` is SHA-256 over the previous row's hash
 * and this row's RFC 8785 canonical JSON; a trigger rejects UPDATE and DELETE.
 */
export const auditLog = pgTable('audit_log', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  at: stamp('at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  entityType: text('entity_type').notNull(),
  entityId: text('entity_id').notNull(),
  details: jsonb('details').$type<Record<string, unknown>>().notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

// Lab fleet state: the simulated hosts remember what happened to them.

export const labDeployments = pgTable('lab_deployments', {
  deploymentId: text('deployment_id').primaryKey(),
  assetId: text('asset_id').notNull(),
  patchId: text('patch_id').notNull(),
  state: text('state').$type<'installed' | 'rolled_back'>().notNull(),
  installCount: integer('install_count').notNull().default(1),
  at: createdAt('at'),
});

export const labContainments = pgTable('lab_containments', {
  quarantineId: text('quarantine_id').primaryKey(),
  assetId: text('asset_id').notNull(),
  containmentId: text('containment_id').notNull(),
  at: createdAt('at'),
});

export const labMitigations = pgTable('lab_mitigations', {
  mitigationId: text('mitigation_id').primaryKey(),
  assetId: text('asset_id').notNull(),
  cves: text('cves').array().notNull(),
  at: createdAt('at'),
});

export const labMessages = pgTable('lab_messages', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  channel: text('channel').notNull(),
  recipient: text('recipient').notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  at: createdAt('at'),
});


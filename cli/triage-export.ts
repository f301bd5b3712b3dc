/**
 * `patchwarden triage export`: pages through GET /api/findings/prioritized and
 * writes one row per finding as CSV (RFC 4180) or a Markdown table.
 */

/** The fields of a prioritized finding that the export reads. */
export interface TriageFinding {
  id: number;
  itemName: string;
  cves: string[];
  asset: { hostname: string; owner: string | null };
  score: number;
  priority: string;
  ssvcDecision: string;
  dueAt: string;
  exception: { state: string } | null;
}

export interface TriagePage {
  findings: TriageFinding[];
  nextCursor: string | null;
}

export type TriageFormat = 'csv' | 'md';

export interface TriageExportOptions {
  format: TriageFormat;
  /** Priorities to include, such as `['P1', 'P2']`; all when empty. */
  priorities: readonly string[];
  /** Maximum number of findings to write; all when absent. */
  limit?: number | undefined;
  /** Findings per request, at most 500 (the route's maximum). Default 500. */
  pageSize?: number;
  /** Fetches one page; `params` are the route's query parameters. */
  fetchPage(params: Record<string, string>): Promise<TriagePage>;
  /** Receives the output a piece at a time. */
  write(text: string): void;
}

const HEADER = ['finding', 'asset', 'owner', 'score', 'priority', 'SSVC', 'due date', 'exception state'];

/** The route's largest page. */
const MAX_PAGE = 500;

/**
 * Writes every matching finding, highest score first, and returns how many it
 * wrote. A finding rescored while the export runs can move between pages, so
 * ids already written are skipped rather than written twice.
 */
export async function exportTriage(options: TriageExportOptions): Promise<number> {
  const render = options.format === 'csv' ? csvLine : markdownLine;
  options.write(render(HEADER));
  if (options.format === 'md') options.write(markdownLine(HEADER.map(() => '---')));

  const pageSize = Math.min(options.pageSize ?? MAX_PAGE, MAX_PAGE);
  const written = new Set<number>();
  let cursor: string | null = null;
  do {
    const requested = options.limit === undefined ? pageSize : Math.min(pageSize, options.limit - written.size);
    if (requested <= 0) break;

    const params: Record<string, string> = { limit: String(requested) };
    if (options.priorities.length > 0) params.priority = options.priorities.join(',');
    if (cursor !== null) params.cursor = cursor;
    const page = await options.fetchPage(params);

    for (const finding of page.findings) {
      if (written.has(finding.id) || written.size === options.limit) continue;
      written.add(finding.id);
      options.write(render(triageCells(finding)));
    }
    cursor = page.nextCursor;
  } while (cursor !== null);

  return written.size;
}

/** Returns the cells of one row, in `HEADER` order. */
export function triageCells(finding: TriageFinding): string[] {
  const cves = finding.cves.length > 0 ? ` [${finding.cves.join(', ')}]` : '';
  return [
    `#${finding.id} ${finding.itemName}${cves}`,
    finding.asset.hostname,
    finding.asset.owner ?? '',
    String(finding.score),
    finding.priority,
    finding.ssvcDecision,
    finding.dueAt,
    finding.exception?.state ?? 'none',
  ];
}

/**
 * Formats one CSV record as RFC 4180 defines it: a field that contains a comma,
 * a double quote, CR or LF is enclosed in double quotes with each inner quote
 * doubled, and the record ends with CRLF.
 *
 * NOTE: cells are not guarded against spreadsheet formula injection: a cell that
 * starts with `=`, `+`, `-` or `@` stays as the scanner wrote it.
 */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',')}\r\n`;
}

/** Formats one Markdown table row; `\` and `|` are escaped and line breaks become spaces. */
export function markdownLine(cells: readonly string[]): string {
  const escaped = cells.map((cell) => cell.replace(/[\\|]/g, (char) => `\\${char}`).replace(/\r\n|\r|\n/g, ' '));
  return `| ${escaped.join(' | ')} |\n`;
}

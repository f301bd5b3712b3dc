/**
 * `GET /api/vulnerabilities/:cve`: the stored enrichment of one CVE with its
 * score, SSVC decision and ATT&CK techniques (see `vulnerabilityView`).
 */
import { Router } from 'express';
import type { Policy } from '../../config/policy.js';
import type { Database } from '../../db/client.js';
import { loadTechniqueSightings } from '../../db/technique-sightings.js';
import { loadVulnerability } from '../../db/vulnerability-detail.js';
import { ProblemError } from '../problem.js';
import { cveId } from '../schemas.js';
import { vulnerabilityTechniqueIds, vulnerabilityView } from '../vulnerability-view.js';

export function vulnerabilityRoutes(deps: { database: Database; policy: Policy }): Router {
  const router = Router();

  router.get('/:cve', async (req, res) => {
    const parsed = cveId.safeParse(req.params.cve);
    if (!parsed.success) {
      throw new ProblemError(400, 'Invalid request', `The CVE id "${req.params.cve}" in the path is invalid.`, [
        { path: 'cve', message: parsed.error.issues[0]?.message ?? 'must be a CVE id such as "CVE-2024-3400"' },
      ]);
    }

    const stored = await loadVulnerability(deps.database, parsed.data);
    if (stored === null) {
      throw new ProblemError(
        404,
        'Not found',
        `No intel or finding names ${parsed.data}; import KEV, EPSS, NVD or scanner files that cover it.`,
      );
    }

    const now = new Date();
    const sightings = await loadTechniqueSightings(deps.database, {
      now,
      window: deps.policy.attack.sightingWindow,
      techniqueIds: vulnerabilityTechniqueIds(stored),
    });
    res.json(vulnerabilityView(stored, deps.policy, { sightings, now }));
  });

  return router;
}

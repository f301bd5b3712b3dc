/**
 * Web application assets. A web application scan (Tenable WAS, Qualys WAS)
 * reports findings on an application, not a host, so the asset is keyed by the
 * application's base URL. That is the scheme, the host, a port other than the
 * scheme's default, and the path without its trailing slash
 * (`https://shop.example.com`, `http://intranet.example.com:8080/app`).
 */

import { isIP } from 'node:net';

import type { ScannedHost } from '../../domain/findings.js';
import { type SourceLocation, failAt } from './finding-values.js';
import { newHost } from './host-findings.js';

type HttpUrl = URL & { protocol: 'http:' | 'https:' };

const DEFAULT_PORTS: Record<HttpUrl['protocol'], number> = { 'http:': 80, 'https:': 443 };

export interface WebApplication {
  host: ScannedHost;
  /** Port the application listens on, for the findings key: the URL's port or the scheme's default. */
  port: number;
}

export interface WebApplicationDetails {
  os?: string | null;
  scannerAssetId?: string | null;
}

/**
 * Builds the asset for a web application from its URL.
 *
 * @throws ImportFormatError when the URL is not an absolute http or https URL.
 */
export function webApplication(url: string, location: SourceLocation, details: WebApplicationDetails = {}): WebApplication {
  const parsed = parseHttpUrl(url.trim());
  if (parsed === null) {
    throw failAt(location, `invalid web application URL "${url.trim()}"; expected an absolute http or https URL`);
  }

  // URL keeps IPv6 literals in brackets, and isIP wants them without.
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const isAddress = isIP(hostname) !== 0;
  const path = parsed.pathname.replace(/\/+$/, '');

  return {
    host: newHost({
      name: `${parsed.origin}${path}`,
      ip: isAddress ? hostname : null,
      fqdn: isAddress ? null : hostname,
      os: details.os,
      scannerAssetId: details.scannerAssetId,
    }),
    port: parsed.port === '' ? DEFAULT_PORTS[parsed.protocol] : Number(parsed.port),
  };
}

/** Parses an absolute http or https URL, or returns null. */
function parseHttpUrl(text: string): HttpUrl | null {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return null;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? (parsed as HttpUrl) : null;
}

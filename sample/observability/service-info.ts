import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** When this process started serving (epoch ms). */
export const STARTED_AT = Date.now();

let version: string | undefined;

/**
 * The service version: `npm_package_version` under `npm run`, else the `version` of the
 * package.json in the working directory (the image's WORKDIR), else "unknown".
 */
export function serviceVersion(): string {
  if (version) return version;
  version = process.env.npm_package_version;
  if (!version) {
    try {
      version = String(JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')).version ?? 'unknown');
    } catch {
      version = 'unknown';
    }
  }
  return version;
}

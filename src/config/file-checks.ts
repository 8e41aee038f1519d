import { accessSync, constants, statSync } from 'node:fs';
import { isEmbeddedAxis, type Config } from './schema.js';

/**
 * Checks, before anything starts, that the files the configuration names are there: the trust
 * anchors, the axis and webhook secret files, the TLS certificate and key, the seal image. Without
 * it each one surfaced only when its part opened — after the state directory was taken — and one
 * per start. `serve` runs these with the loader's other checks, so every problem is listed at once
 * (exit 78). Only existence, type and readability are looked at: a secret file is never read here.
 *
 * Not checked on purpose: `hsm.module` and `hsm.pinFile`. The HSM is hardware that comes and goes
 * (the service starts degraded and reports the token's state), and under systemd the PIN comes
 * from LoadCredential=, which refuses to start the unit when it is missing anyway.
 */
export const fileConfigChecks: ((c: Config) => string[])[] = [
  (c) => fileProblem('trust.anchors', c.trust.anchors, 'any'),
  (c) => (isEmbeddedAxis(c.axis) ? [] : fileProblem('axis.secretFile', c.axis.secretFile, 'secret')),
  (c) => c.webhooks.flatMap((w, i) => fileProblem(`webhooks.${i}.secretFile`, w.secretFile, 'secret')),
  (c) => (typeof c.http.tls === 'object' ? [...fileProblem('http.tls.cert', c.http.tls.cert, 'file'), ...fileProblem('http.tls.key', c.http.tls.key, 'file')] : []),
  (c) => (c.signing.sealImage ? fileProblem('signing.sealImage', c.signing.sealImage, 'file') : []),
];

/** `any`: a file or a directory (trust anchors may be either); `secret`: a non-empty file. */
function fileProblem(field: string, path: string, kind: 'any' | 'file' | 'secret'): string[] {
  try {
    const st = statSync(path);
    if (kind !== 'any' && !st.isFile()) return [`${field}: ${path} is not a file`];
    accessSync(path, constants.R_OK);
    if (kind === 'secret' && st.size === 0) return [`${field}: ${path} is empty`];
    return [];
  } catch (e) {
    return [`${field}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`];
  }
}

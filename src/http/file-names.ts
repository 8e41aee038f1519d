import path from 'node:path';

/**
 * Client file names are data, never paths: keep the last segment of either separator, drop
 * control and reserved characters and leading dots, NFC-normalise (Vietnamese names arrive NFD
 * from macOS), bound the length. The result is only ever shown or stored as a label; temp files
 * get random names.
 */
export function safeFilename(name: string | undefined, fallback = 'file'): string {
  let n = (name ?? '').normalize('NFC');
  n = n.split(/[\\/]/).pop() ?? '';
  n = n.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^[.\s]+/, '').trim();
  if (n.length > 200) {
    const ext = path.extname(n).slice(0, 16);
    n = n.slice(0, 200 - ext.length) + ext;
  }
  return n || fallback;
}

/**
 * `Content-Disposition` with an ASCII fallback and the RFC 5987 `filename*` for the real
 * (Vietnamese) name, so every browser saves "Quyết định.pdf" and none can be tricked into a path.
 */
export function contentDisposition(name: string, kind: 'attachment' | 'inline' = 'attachment'): string {
  const clean = safeFilename(name);
  const ascii = clean
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

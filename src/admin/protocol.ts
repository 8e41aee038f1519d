/**
 * The admin socket's protocol: JSON lines over a unix stream socket. One request per line,
 * `{"id","op","args"}`; one answer per request, `{"id","ok":true,"result"}` or
 * `{"id","ok":false,"error":{"code","message","details"?}}`. An answer with `"stream": N` is
 * followed by exactly N raw bytes (a backup file), after which lines resume.
 *
 * Why not HTTP over the socket: the operations are a dozen local RPCs with no browser, caching or
 * content negotiation; a line protocol is ~100 lines on node:net, needs no second fastify
 * instance, and streams a backup without base64. Access control is the socket file's mode (0600,
 * owned by the service user), as for every unix-socket admin interface.
 */
export interface AdminRequest {
  id: number;
  op: string;
  args?: Record<string, unknown>;
}

export interface AdminErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

export type AdminResponse =
  | { id: number; ok: true; result: unknown; stream?: number }
  | { id: number; ok: false; error: AdminErrorBody };

/** Longest request line accepted (a password or a report query, never a file). */
export const MAX_LINE = 64 * 1024;

export const OPS = [
  'ping',
  'user.add',
  'user.list',
  'user.disable',
  'user.passwd',
  'apikey.create',
  'apikey.list',
  'apikey.revoke',
  'backup',
  'report',
  'selftest',
  'audit.verify',
  'hsm.info',
] as const;
export type AdminOp = (typeof OPS)[number];

/** Roles of spec/http-api.md, ordered: each includes what the one before it may do. */
export const ROLES = ['viewer', 'clerk', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** True when `have` may do what `need` may do (viewer < clerk < admin). */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Who a request (or an admin command) acts as. */
export interface Principal {
  kind: 'user' | 'apikey';
  name: string;
  role: Role;
}

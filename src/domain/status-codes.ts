/**
 * Business status codes of edXML status packages (domain.md §4). Codes 07–12 and 14 were never
 * seen on the axis (three independent implementations agree), so they are not accepted.
 */
export const STATUS_CODES = ['01', '02', '03', '04', '05', '06', '13', '15', '16'] as const;
export type StatusCode = (typeof STATUS_CODES)[number];

/** Who originates a code: the receiver of a document, or its sender (13 = recall request). */
export type StatusSender = 'receiver' | 'sender';

export interface StatusCodeInfo {
  readonly code: StatusCode;
  readonly vi: string;
  readonly en: string;
  readonly sentBy: StatusSender;
}

const TABLE: readonly StatusCodeInfo[] = Object.freeze([
  { code: '01', vi: 'Đã đến', en: 'arrived', sentBy: 'receiver' },
  { code: '02', vi: 'Từ chối tiếp nhận', en: 'refused / returned', sentBy: 'receiver' },
  { code: '03', vi: 'Đã tiếp nhận', en: 'accepted', sentBy: 'receiver' },
  { code: '04', vi: 'Phân công', en: 'assigned', sentBy: 'receiver' },
  { code: '05', vi: 'Đang xử lý', en: 'in progress', sentBy: 'receiver' },
  { code: '06', vi: 'Hoàn thành', en: 'done', sentBy: 'receiver' },
  { code: '13', vi: 'Lấy lại / thu hồi', en: 'recall requested', sentBy: 'sender' },
  { code: '15', vi: 'Đồng ý lấy lại / cập nhật', en: 'recall or update agreed', sentBy: 'receiver' },
  { code: '16', vi: 'Từ chối lấy lại / cập nhật', en: 'recall or update refused', sentBy: 'receiver' },
] satisfies StatusCodeInfo[]);

const BY_CODE = new Map<string, StatusCodeInfo>(TABLE.map((s) => [s.code, s]));

export const STATUS_CODE_TABLE: readonly StatusCodeInfo[] = TABLE;

export function isStatusCode(x: unknown): x is StatusCode {
  return typeof x === 'string' && BY_CODE.has(x);
}

export function statusCodeInfo(code: StatusCode): StatusCodeInfo {
  // Every StatusCode is in the table; the fallback only satisfies noUncheckedIndexedAccess.
  return BY_CODE.get(code) ?? { code, vi: code, en: code, sentBy: 'receiver' };
}

/** Codes a party may originate. */
export function codesSentBy(who: StatusSender): StatusCode[] {
  return TABLE.filter((s) => s.sentBy === who).map((s) => s.code);
}

/**
 * Lenient reading of a `StatusCode` from the wire: surrounding spaces and a missing leading zero
 * ("3" → "03") are tolerated, as is a number. Unknown codes give undefined.
 */
export function parseStatusCode(x: unknown): StatusCode | undefined {
  let s: string;
  if (typeof x === 'number') {
    if (!Number.isInteger(x) || x < 0 || x > 99) return undefined;
    s = String(x);
  } else if (typeof x === 'string' && x.length <= 10) {
    s = x.trim();
  } else {
    return undefined;
  }
  if (!/^[0-9]{1,2}$/.test(s)) return undefined;
  const code = s.padStart(2, '0');
  return isStatusCode(code) ? code : undefined;
}

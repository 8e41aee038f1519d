import type { ErrorCode } from '../errors.js';

/**
 * People-facing error messages (spec: Vietnamese or English per `Accept-Language`, Vietnamese by
 * default). Programs read `code`; the English text of an AppError is more specific, so English
 * clients get it as is, while Vietnamese clients get the catalogue sentence for the code.
 * The `problem` texts of `[{field, problem}]` details follow the same choice: see
 * i18n-problems.ts (our own texts) and i18n-schema.ts (fastify's request-schema errors).
 */
export type Lang = 'vi' | 'en';

const VI: Record<ErrorCode, string> = {
  BAD_REQUEST: 'Yêu cầu không hợp lệ (JSON hoặc multipart sai định dạng).',
  UNAUTHENTICATED: 'Chưa đăng nhập hoặc thông tin đăng nhập không đúng.',
  FORBIDDEN: 'Tài khoản không có quyền thực hiện thao tác này.',
  NOT_FOUND: 'Không tìm thấy.',
  CONFLICT: 'Xung đột: yêu cầu trùng lặp hoặc chuyển trạng thái không hợp lệ.',
  PAYLOAD_TOO_LARGE: 'Tệp tải lên vượt quá dung lượng cho phép.',
  UNSUPPORTED_MEDIA_TYPE: 'Loại tệp không được hỗ trợ cho thao tác này.',
  VALIDATION_FAILED: 'Thông tin văn bản không hợp lệ.',
  SECRET_DOCUMENT: 'Văn bản mật không được gửi qua trục liên thông; không có gì được lưu.',
  MALFORMED_PDF: 'Tệp PDF bị hỏng, không đọc được hoặc đã bị mã hóa.',
  PRIOR_SIGNATURE_REQUIRED: 'Văn bản cần có chữ ký số hợp lệ của người có thẩm quyền trước khi đóng dấu cơ quan.',
  UNKNOWN_RECIPIENT: 'Nơi nhận không hợp lệ hoặc không có trong danh bạ cơ quan.',
  RATE_LIMITED: 'Quá nhiều lần thử. Vui lòng thử lại sau.',
  HSM_UNAVAILABLE: 'Thiết bị ký số (HSM) không sẵn sàng.',
  STORAGE_FULL: 'Bộ nhớ của thiết bị đã đầy, không thể nhận thêm.',
  CONFIG_INVALID: 'Cấu hình không hợp lệ.',
  STATE_LOCKED: 'Dữ liệu đang được tiến trình khác sử dụng.',
  INTERNAL: 'Lỗi nội bộ.',
};

const EN: Record<ErrorCode, string> = {
  BAD_REQUEST: 'Malformed request (JSON or multipart).',
  UNAUTHENTICATED: 'Not signed in, or the credentials are wrong.',
  FORBIDDEN: 'Your role does not allow this.',
  NOT_FOUND: 'Not found.',
  CONFLICT: 'Conflict: a duplicate request or an invalid status transition.',
  PAYLOAD_TOO_LARGE: 'The upload is larger than allowed.',
  UNSUPPORTED_MEDIA_TYPE: 'This file type is not allowed for this operation.',
  VALIDATION_FAILED: 'The document metadata is invalid.',
  SECRET_DOCUMENT: 'Secret documents must not be sent over the exchange; nothing was stored.',
  MALFORMED_PDF: 'The PDF cannot be read or is encrypted.',
  PRIOR_SIGNATURE_REQUIRED: 'The document needs a valid signature of the competent person first.',
  UNKNOWN_RECIPIENT: 'A recipient is not a valid or known agency.',
  RATE_LIMITED: 'Too many attempts. Try again later.',
  HSM_UNAVAILABLE: 'The signing token (HSM) is not available.',
  STORAGE_FULL: 'The appliance storage is full.',
  CONFIG_INVALID: 'Invalid configuration.',
  STATE_LOCKED: 'The state is in use by another process.',
  INTERNAL: 'Internal error.',
};

/** `en` when English is preferred over Vietnamese in Accept-Language; `vi` otherwise. */
export function pickLang(header: string | string[] | undefined): Lang {
  const h = Array.isArray(header) ? header.join(',') : (header ?? '');
  let best: { lang: Lang; q: number } = { lang: 'vi', q: 0 };
  for (const part of h.split(',')) {
    const [tag, ...params] = part.trim().toLowerCase().split(';');
    const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    const lang: Lang | null = tag?.startsWith('en') ? 'en' : tag?.startsWith('vi') ? 'vi' : null;
    if (lang && Number.isFinite(q) && q > best.q) best = { lang, q };
  }
  return best.lang;
}

/** The message for a code; English clients get `specific` (an AppError's own text) when given. */
export function messageFor(code: ErrorCode, lang: Lang, specific?: string): string {
  if (lang === 'en') return specific && code !== 'INTERNAL' ? specific : EN[code];
  return VI[code];
}

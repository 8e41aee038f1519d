import type { Lang } from './i18n.js';

/**
 * The `problem` texts of `[{"field","problem"}]` error details (VALIDATION_FAILED,
 * UNKNOWN_RECIPIENT, SECRET_DOCUMENT), in English and Vietnamese. spec/http-api.md: texts for
 * people are Vietnamese by default and English per `Accept-Language`; `field` is for programs and
 * never changes.
 *
 * Why the English template is the key (gettext style) rather than a key carried next to the text:
 * problems are produced all over the service — the pure domain validators, the documents use
 * cases, auth, the upload reader — as plain `{field, problem}` values that also cross the admin
 * socket and reach the CLI, and their English wording is what clients already receive byte for
 * byte. Keeping producers plain keeps the domain pure and the contract unchanged; this table is
 * the one place that knows Vietnamese. A new or reworded problem cannot silently stay English:
 * test/http/i18n-problems.test.ts scans src/ for problem texts (and runs the validators over a
 * bad-input corpus) and fails on any text this catalogue cannot render. At run time an unknown text
 * still reaches a Vietnamese reader with a Vietnamese lead ("không hợp lệ (…)") and is logged.
 *
 * Templates: `%{name}` is any text, `%{name:int}` an integer, `%{name:problem}` a nested problem
 * text that is itself translated. Entries are tried in order, so a template that is a more
 * specific form of a later one comes first (the test checks that each one wins for its own text).
 */
export interface ProblemText {
  /** English template, exactly as producers emit it. */
  readonly en: string;
  /** Vietnamese template with the same placeholders. */
  readonly vi: string;
}

export const PROBLEM_TEXTS: readonly ProblemText[] = [
  // --- Common to every field (domain/metadata-fields.ts, routes, auth) ---
  { en: 'is required', vi: 'là bắt buộc' },
  { en: 'must be a string', vi: 'phải là chuỗi ký tự' },
  { en: 'must not be empty', vi: 'không được để trống' },
  { en: 'must be at most %{max:int} characters', vi: 'không được vượt quá %{max:int} ký tự' },
  { en: 'must not contain control characters', vi: 'không được chứa ký tự điều khiển' },
  { en: 'must be an integer', vi: 'phải là số nguyên' },
  { en: 'must be between %{min:int} and %{max:int}', vi: 'phải nằm trong khoảng từ %{min:int} đến %{max:int}' },
  { en: 'must be a YYYY-MM-DD date', vi: 'phải là ngày theo định dạng YYYY-MM-DD' },
  { en: 'must be a real calendar date written YYYY-MM-DD', vi: 'phải là ngày có thật, viết theo định dạng YYYY-MM-DD' },
  { en: 'is not a known field', vi: 'không phải là trường thông tin được hỗ trợ' },
  { en: 'must be an object', vi: 'phải là một đối tượng JSON' },
  { en: 'must be an array of strings', vi: 'phải là danh sách các chuỗi ký tự' },
  { en: 'must have at most %{max:int} entries', vi: 'không được vượt quá %{max:int} mục' },

  // --- Submission metadata (domain/metadata.ts, notation.ts, metadata-organs.ts) ---
  { en: 'cannot be read', vi: 'không đọc được' },
  { en: 'must be a JSON object', vi: 'phải là một đối tượng JSON' },
  { en: 'secret documents must not be sent over the exchange', vi: 'văn bản mật không được gửi qua trục liên thông' },
  { en: 'must be a document type id of the catalogue (QD, CV, TB, …)', vi: 'phải là mã loại văn bản có trong danh mục (QD, CV, TB, …)' },
  { en: 'must not be before promulgationDate', vi: 'không được trước ngày ban hành (promulgationDate)' },
  { en: 'must be one of TM., KT., TL., TUQ., Q.', vi: 'phải là một trong các giá trị TM., KT., TL., TUQ., Q.' },
  { en: 'must be 1 to 7 digits (e.g. "12")', vi: 'phải gồm từ 1 đến 7 chữ số (ví dụ "12")' },
  { en: 'must be at least 1', vi: 'phải lớn hơn hoặc bằng 1' },
  {
    en: 'must be letters and digits joined by -, /, . or & (no spaces), e.g. "QĐ-UBND"',
    vi: 'phải gồm chữ cái và chữ số nối với nhau bằng dấu -, /, . hoặc & (không có dấu cách), ví dụ "QĐ-UBND"',
  },
  // The form with the hint about another type must come before the plain one (it ends in %{type}).
  {
    en: 'must start with "%{abbr}-", the abbreviation of %{type} ("%{otherAbbr}" is %{otherType})',
    vi: 'phải bắt đầu bằng "%{abbr}-" là chữ viết tắt của loại văn bản %{type} ("%{otherAbbr}" là %{otherType})',
  },
  { en: 'must start with "%{abbr}-", the abbreviation of %{type}', vi: 'phải bắt đầu bằng "%{abbr}-" là chữ viết tắt của loại văn bản %{type}' },
  // Warnings of the notation check (not sent today; kept with the problems so they read alike).
  {
    en: 'starts with "%{abbr}-", the abbreviation of %{otherType}, but the type %{type} has none',
    vi: 'bắt đầu bằng "%{abbr}-" là chữ viết tắt của loại văn bản %{otherType}, nhưng loại văn bản %{type} không có chữ viết tắt',
  },
  { en: 'should start with "%{abbr}-" (case and diacritics as in NĐ 30)', vi: 'nên bắt đầu bằng "%{abbr}-" (chữ hoa và dấu đúng như Nghị định 30/2020/NĐ-CP)' },
  { en: 'must be an array of OrganIds', vi: 'phải là danh sách mã định danh cơ quan (OrganId)' },
  { en: 'must have 1 to %{max:int} recipients', vi: 'phải có từ 1 đến %{max:int} nơi nhận' },
  { en: 'duplicates %{other}', vi: 'bị trùng với %{other}' },

  // --- OrganId and DocumentId (domain/organ-id.ts, document-id.ts) ---
  {
    en: 'must be dot-separated non-empty groups of A-Z and 0-9 (an OrganId)',
    vi: 'phải gồm các nhóm chữ A-Z và chữ số 0-9, ngăn cách nhau bằng dấu chấm (mã định danh cơ quan)',
  },
  { en: 'is too long', vi: 'quá dài' },
  { en: 'must be {organId},{yyyy/MM/dd},{number}/{notation}', vi: 'phải có dạng {organId},{yyyy/MM/dd},{number}/{notation}' },
  { en: 'organ id %{organ:problem}', vi: 'phần mã cơ quan %{organ:problem}' },
  { en: 'date must be a real yyyy/MM/dd date', vi: 'phần ngày phải là ngày có thật, viết theo định dạng yyyy/MM/dd' },
  { en: 'must end with {number}/{notation}', vi: 'phải kết thúc bằng {number}/{notation}' },

  // --- Submission checks and uploads (documents/submit-checks.ts, http/uploads.ts, routes) ---
  { en: '%{organId} is not in the agency directory', vi: '%{organId} không có trong danh bạ cơ quan' },
  { en: 'at most %{max:int} attachments', vi: 'không được vượt quá %{max:int} tệp đính kèm' },
  { en: 'is empty', vi: 'là tệp rỗng (không có nội dung)' },
  { en: 'auto, pades, cades or xmldsig', vi: 'phải là auto, pades, cades hoặc xmldsig' },

  // --- Statuses and reports (documents/status-actions.ts, report.ts) ---
  {
    en: 'must be one of 02, 03, 04, 05, 06 (15 or 16 to answer a recall)',
    vi: 'phải là một trong các mã 02, 03, 04, 05, 06 (15 hoặc 16 để trả lời yêu cầu thu hồi)',
  },
  { en: 'is required for 02', vi: 'là bắt buộc khi từ chối tiếp nhận (mã 02)' },
  { en: 'from and to must be YYYY-MM-DD with from ≤ to', vi: 'from và to phải theo định dạng YYYY-MM-DD, from không được sau to' },

  // --- Accounts and API keys (auth/) ---
  {
    en: 'letters, digits, . _ - (1–64), starting with a letter or digit',
    vi: 'chỉ gồm chữ cái, chữ số và các dấu . _ - (từ 1 đến 64 ký tự), bắt đầu bằng chữ cái hoặc chữ số',
  },
  { en: 'letters, digits, . _ - (1–64)', vi: 'chỉ gồm chữ cái, chữ số và các dấu . _ - (từ 1 đến 64 ký tự)' },
  { en: 'viewer, clerk or admin', vi: 'phải là viewer, clerk hoặc admin' },
  { en: 'at least %{min:int} characters', vi: 'phải có ít nhất %{min:int} ký tự' },
  { en: 'at most %{max:int} characters', vi: 'không được vượt quá %{max:int} ký tự' },
];

type Kind = 'text' | 'int' | 'problem';
interface Compiled {
  entry: ProblemText;
  re: RegExp;
  params: { name: string; kind: Kind }[];
}

const PLACEHOLDER = /%\{(\w+)(?::(int|problem))?\}/g;

function compile(entry: ProblemText): Compiled {
  const params: Compiled['params'] = [];
  let source = '';
  let last = 0;
  for (const m of entry.en.matchAll(PLACEHOLDER)) {
    source += escapeRegExp(entry.en.slice(last, m.index));
    const kind = (m[2] ?? 'text') as Kind;
    params.push({ name: m[1]!, kind });
    source += kind === 'int' ? '(-?\\d+)' : '(.+?)';
    last = m.index + m[0].length;
  }
  source += escapeRegExp(entry.en.slice(last));
  return { entry, re: new RegExp(`^${source}$`, 's'), params };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const COMPILED = PROBLEM_TEXTS.map(compile);

/** The catalogue entry an English problem text was produced from, or undefined. */
export function problemEntry(text: string): ProblemText | undefined {
  return COMPILED.find((c) => c.re.test(text))?.entry;
}

/**
 * A problem text in `lang`. English is the producers' own text, returned unchanged; Vietnamese
 * comes from the catalogue, or is undefined when the text (or a nested problem) is not in it.
 */
export function translateProblem(text: string, lang: Lang): string | undefined {
  if (lang === 'en') return text;
  for (const c of COMPILED) {
    const m = c.re.exec(text);
    if (!m) continue;
    const values = new Map<string, string>();
    let ok = true;
    c.params.forEach((p, i) => {
      const raw = m[i + 1] ?? '';
      const value = p.kind === 'problem' ? translateProblem(raw, lang) : raw;
      if (value === undefined) ok = false;
      else values.set(p.name, value);
    });
    if (!ok) return undefined;
    return c.entry.vi.replace(PLACEHOLDER, (_, name: string) => values.get(name) ?? '');
  }
  return undefined;
}

/**
 * Error details for a client in `lang`: every `{field, problem}` item of an array gets its
 * problem translated (field and any other member untouched, in the same order); anything else is
 * returned as is. English returns the very same value, so English bodies stay byte-identical.
 * `onUntranslated` hears each text the catalogue lacks (the caller logs it).
 */
export function localizeDetails(details: unknown, lang: Lang, onUntranslated?: (problem: string) => void): unknown {
  if (lang === 'en' || !Array.isArray(details)) return details;
  return details.map((item: unknown) => {
    if (typeof item !== 'object' || item === null || typeof (item as { problem?: unknown }).problem !== 'string') return item;
    const problem = (item as { problem: string }).problem;
    const vi = translateProblem(problem, lang);
    if (vi === undefined) onUntranslated?.(problem);
    return { ...item, problem: vi ?? `không hợp lệ (${problem})` };
  });
}

/**
 * `getEdoc` answers `{"status":"OK",…,"data":"<base64 of a 27 MB package>"}`. JSON.parse would
 * need the whole text, then the string, then the decoded buffer: three copies. This scanner walks
 * the JSON text as it arrives, hands the characters of the top-level `data` string to `onData`
 * (escapes resolved) and keeps the rest — small — so it can be JSON.parsed for status and errors.
 */
export class JsonDataScanner {
  private depth = 0;
  private inString = false;
  private escape = false;
  private unicode: string | null = null;
  private streaming = false;
  private key = '';
  private lastString = '';
  private expectValueFor: string | null = null;
  private readonly rest: string[] = [];
  private restLength = 0;
  /** Whether a `data` string was found. */
  found = false;

  constructor(
    private readonly onData: (text: string) => void,
    private readonly maxRest = 1024 * 1024,
  ) {}

  push(chunk: string): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.streaming) {
        i = this.streamChars(chunk, i);
        continue;
      }
      const c = chunk[i] as string;
      this.keep(c);
      i++;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === '\\') this.escape = true;
        else if (c === '"') {
          this.inString = false;
          this.lastString = this.key;
        } else if (this.key.length < 64) this.key += c;
        continue;
      }
      switch (c) {
        case '"':
          if (this.depth === 1 && this.expectValueFor === 'data') {
            // Undo keeping the opening quote: the remainder gets `""` when the string closes.
            this.rest.pop();
            this.restLength--;
            this.streaming = true;
            this.found = true;
            this.expectValueFor = null;
          } else {
            this.inString = true;
            this.key = '';
          }
          break;
        case ':':
          if (this.depth === 1) this.expectValueFor = this.lastString;
          break;
        case ',':
          this.expectValueFor = null;
          break;
        case '{':
        case '[':
          this.depth++;
          this.expectValueFor = null;
          break;
        case '}':
        case ']':
          this.depth--;
          break;
        default:
          if (!/\s/.test(c)) this.expectValueFor = null;
      }
    }
  }

  /** The JSON text with the `data` string emptied. */
  remainder(): string {
    return this.rest.join('');
  }

  private keep(s: string): void {
    this.restLength += s.length;
    if (this.restLength > this.maxRest) throw new Error('JSON answer outside "data" is too large');
    this.rest.push(s);
  }

  /** Inside the data string: pass plain runs through in one slice; resolve escapes one by one. */
  private streamChars(chunk: string, from: number): number {
    let i = from;
    if (this.unicode !== null) {
      while (i < chunk.length && this.unicode.length < 4) this.unicode += chunk[i++];
      if (this.unicode.length === 4) {
        this.onData(String.fromCharCode(Number.parseInt(this.unicode, 16)));
        this.unicode = null;
      }
      return i;
    }
    if (this.escape) {
      const e = chunk[i] as string;
      this.escape = false;
      if (e === 'u') this.unicode = '';
      else this.onData(ESCAPES[e] ?? e);
      return i + 1;
    }
    let j = i;
    while (j < chunk.length) {
      const code = chunk.charCodeAt(j);
      if (code === 0x22 || code === 0x5c) break; // " or \
      j++;
    }
    if (j > i) this.onData(chunk.slice(i, j));
    if (j >= chunk.length) return j;
    if (chunk[j] === '\\') {
      this.escape = true;
      return j + 1;
    }
    // The closing quote: back to scanning, keeping an empty string in the remainder.
    this.streaming = false;
    this.keep('""');
    return j + 1;
  }
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '/': '/', '\\': '\\', '"': '"' };

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HsmConfig } from '../config/schema.js';
import { AppError } from '../errors.js';
import { openToken } from '../hsm/graphene-token.js';
import type { Logger } from '../log/logger.js';
import { signPdf } from '../signing/pdf/index.js';

/**
 * The demo's sample document: a one-page PDF written here (no PDF library, no font file), then
 * signed by the "competent person" with a separate personal dev token through the same PAdES
 * signer the gateway uses. Offices then add the organisation signature on top when it is sent,
 * which the prior-signature policy requires.
 *
 * The text is ASCII in the standard Helvetica font: the 14 standard fonts carry no Vietnamese
 * glyphs and embedding one would make this file a font subsetter.
 */
const LINES: [font: 'F1' | 'F2', size: number, x: number, y: number, text: string][] = [
  ['F1', 11, 56, 790, 'UY BAN NHAN DAN'],
  ['F1', 11, 56, 775, 'XA TIEN LUONG (DEMO)'],
  ['F1', 11, 300, 790, 'CONG HOA XA HOI CHU NGHIA VIET NAM'],
  ['F1', 11, 330, 775, 'Doc lap - Tu do - Hanh phuc'],
  ['F2', 11, 56, 745, 'So: 01/UBND-VP'],
  ['F2', 11, 330, 745, 'Tien Luong, ngay 26 thang 11 nam 2026'],
  ['F2', 11, 56, 725, 'V/v thu nghiem lien thong van ban dien tu'],
  ['F1', 12, 230, 690, 'Kinh gui: UBND tinh (demo)'],
  ['F2', 11, 56, 655, 'Thuc hien ke hoach chuyen doi so, UBND xa Tien Luong gui van ban nay'],
  ['F2', 11, 56, 640, 'qua truc lien thong van ban de thu nghiem viec gui, nhan va phan hoi'],
  ['F2', 11, 56, 625, 'trang thai van ban dien tu giua xa va tinh.'],
  ['F2', 11, 56, 600, 'Van ban da duoc nguoi co tham quyen ky so; van thu dong dau so cua co quan'],
  ['F2', 11, 56, 585, 'bang thiet bi edoc-gateway truoc khi gui.'],
  ['F1', 11, 380, 540, 'TM. UY BAN NHAN DAN'],
  ['F1', 11, 410, 525, 'CHU TICH'],
  ['F1', 11, 395, 460, 'Nguyen Van A'],
];

function pdfString(s: string): string {
  return `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

/** A valid single-page PDF 1.4 with a classic cross-reference table. */
export function plainPdf(): Buffer {
  const content = LINES.map(([f, size, x, y, text]) => `BT /${f} ${size} Tf ${x} ${y} Td ${pdfString(text)} Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  const id = randomBytes(16).toString('hex');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /ID [<${id}> <${id}>] >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Writes the sample (once) and has the personal token sign it; returns the signed file's path. */
export async function ensureSamplePdf(dir: string, personal: HsmConfig, logger: Logger): Promise<string> {
  const signed = path.join(dir, 'cong-van-mau-da-ky.pdf');
  if (existsSync(signed)) return signed;
  await mkdir(dir, { recursive: true });
  const plain = path.join(dir, 'cong-van-mau.pdf');
  await writeFile(plain, plainPdf());
  const token = await openToken(personal, { logger, probeIntervalMs: 0 });
  try {
    if (token.state() !== 'ready') throw new AppError('HSM_UNAVAILABLE', `the personal demo token is ${token.state()}`);
    const tmp = `${signed}.tmp`;
    await signPdf({ input: plain, output: tmp, token, reason: 'Nguoi co tham quyen ky (demo)' });
    await rename(tmp, signed);
  } finally {
    await token.close();
  }
  return signed;
}

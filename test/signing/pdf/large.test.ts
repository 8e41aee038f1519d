import t from 'tap';
import { join } from 'node:path';
import { benchLargePdf } from '../../../src/bench/pdf-bench.js';
import { verifyPdf } from '../../../src/signing/pdf/index.js';
import { pdfsigVerify } from '../../support/pdf-fixtures.js';
import { makePdfSigningSetup } from '../../support/pdf-signer.js';

// The size-independent memory claim, on a file big enough to show a copy (not a timing test).
// PDF_LARGE_MB=50 runs the full benchmark size.
const sizeMb = Number(process.env.PDF_LARGE_MB ?? 16);
const dir = t.testdir();
const setup = await makePdfSigningSetup(dir);
t.teardown(() => setup.close());

t.test(`a ${sizeMb} MB PDF is signed without holding it in memory`, async (t) => {
  const figures = await benchLargePdf(dir, setup.token, { sizeMb });
  const fig = (name: string): number => figures.find((f) => f.name === name)?.value ?? NaN;
  t.ok(Math.abs(fig('pdf.large_file_mb') - sizeMb) < 0.1, 'file of the requested size');
  const growth = fig('pdf.large_sign_rss_growth_mb');
  t.ok(growth < sizeMb / 2, `RSS grew by ${growth} MB while signing ${sizeMb} MB (a copy would be ≥ ${sizeMb})`);
  t.comment(JSON.stringify(figures));

  const signed = join(dir, 'large-signed.pdf');
  const p = pdfsigVerify(signed);
  t.ok(p.signatures[0]?.valid && p.signatures[0].totalDocument, 'pdfsig: valid, total document');
  const [v] = await verifyPdf(signed, setup.trust, { orgCert: setup.orgCert });
  t.match(v, { integrity: 'valid', coversWholeDocument: true, byOrganisationKey: true });
});

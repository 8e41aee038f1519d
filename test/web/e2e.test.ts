import t from 'tap';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemo, type Demo, type DemoOffice } from '../../src/demo/index.js';

/**
 * The staff page end to end, in headless Chromium against two real gateways (the demo without
 * its serial devices): office A signs in and sends the sample PDF to B; B sees it arrive live and
 * accepts it; A sees B's status turn to "Đã tiếp nhận" (accepted). Along the way: the secrecy
 * choice explains at once why a secret document cannot be sent, server validation errors land
 * next to their fields, the language toggle is remembered, the report draws its chart, and the
 * lists fit a phone-width screen. Screenshots go to test-artifacts/.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-artifacts');

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium): the staff page e2e test needs a real browser`;
t.test('send from A, accept at B, see "accepted" at A', { timeout: 180_000, skip }, async (t) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const demo: Demo = await startDemo({ dir: t.testdir(), port: 0, devices: false, pollSeconds: 1, logLevel: 'warn' });
  t.teardown(() => demo.stop());
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'],
  });
  t.teardown(() => browser.close());
  const [a, b] = demo.offices as [DemoOffice, DemoOffice];
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `web-${name}.png`), fullPage: true });

  const open = async (office: DemoOffice): Promise<Page> => {
    const ctx = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'vi-VN', viewport: { width: 1100, height: 900 } });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => t.fail(`page error at ${office.key}: ${e.message}`));
    await page.goto(`${office.url}/`);
    await page.getByLabel('Tên đăng nhập').waitFor();
    return page;
  };
  const signIn = async (page: Page, office: DemoOffice): Promise<void> => {
    await page.getByLabel('Tên đăng nhập').fill(office.username);
    await page.getByLabel('Mật khẩu').fill(office.password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('link', { name: 'Gửi văn bản' }).waitFor();
  };

  // --- Office A: sign in (a wrong password first: the API's message is shown) ---
  const pa = await open(a);
  await shot(pa, '1-sign-in');
  await pa.getByLabel('Tên đăng nhập').fill(a.username);
  await pa.getByLabel('Mật khẩu').fill('not-the-password');
  await pa.getByRole('button', { name: 'Đăng nhập' }).click();
  await pa.locator('.form-error:not([hidden])').waitFor();
  t.match(await pa.locator('.form-error').textContent(), /đăng nhập/i, 'a failed sign-in shows the API message in Vietnamese');
  await signIn(pa, a);

  // --- The send form ---
  await pa.getByRole('link', { name: 'Gửi văn bản' }).click();
  await pa.getByRole('heading', { name: 'Gửi văn bản đi' }).waitFor();
  t.ok(await pa.locator('select[name="type"] option', { hasText: 'Quyết định' }).count(), 'document types come from the catalogue with Vietnamese names');

  // Secrecy: the explanation appears at once, before anything is sent, and sending is blocked.
  await pa.getByLabel('Mật', { exact: true }).check();
  const why = pa.locator('.secret-why');
  await why.waitFor({ state: 'visible' });
  t.match(await why.textContent(), /không được gửi qua trục/, 'why secret documents cannot be sent, inline');
  t.ok(await pa.getByRole('button', { name: 'Đóng dấu số và gửi' }).isDisabled(), 'the send button is disabled for a secret document');
  await shot(pa, '2-secret-explained');
  await pa.getByLabel('Không mật').check();
  await why.waitFor({ state: 'hidden' });

  // Free entry of a recipient is validated as an OrganId before it is added.
  await pa.getByLabel('Thêm mã cơ quan').fill('not an id');
  await pa.getByRole('button', { name: 'Thêm', exact: true }).click();
  t.match(await pa.locator('.add-organ .error').textContent(), /Mã cơ quan không hợp lệ/, 'an invalid OrganId is refused inline');
  await pa.getByLabel('Thêm mã cơ quan').fill(b.organ.toLowerCase());
  await pa.getByRole('button', { name: 'Thêm', exact: true }).click();
  t.ok(await pa.locator(`input[name="recipient"][value="${b.organ}"]`).isChecked(), 'a valid OrganId is added (upper-cased) and chosen');

  const subject = `Về việc thử nghiệm liên thông ${Date.now()}`;
  await pa.selectOption('select[name="type"]', 'CV');
  await pa.getByLabel(/^Số/).fill('abc');
  await pa.getByLabel('Ký hiệu').fill('UBND VP');
  await pa.getByLabel('Trích yếu').fill(subject);
  await pa.getByLabel('Họ và tên người ký').fill('Nguyễn Văn A');
  await pa.getByLabel('Tệp văn bản (PDF đã ký)').setInputFiles(demo.samplePdf);
  await pa.getByRole('button', { name: 'Đóng dấu số và gửi' }).click();
  // VALIDATION_FAILED from the server: each problem next to its field.
  await pa.locator('[data-field="number"] > .error:not([hidden])').waitFor();
  await pa.locator('[data-field="notation"] > .error:not([hidden])').waitFor();
  t.equal(await pa.locator('[data-field="number"] input').getAttribute('aria-invalid'), 'true', 'the number field is marked invalid');
  await shot(pa, '3-validation-errors');

  await pa.getByLabel(/^Số/).fill('01');
  await pa.getByLabel('Ký hiệu').fill('UBND-VP');
  await pa.getByRole('button', { name: 'Đóng dấu số và gửi' }).click();
  await pa.waitForURL(/#\/outgoing\/.+/);
  await pa.getByText(subject).waitFor();
  await shot(pa, '4-sent-detail');

  // --- Office B: the document arrives (live), and is accepted ---
  const pb = await open(b);
  await signIn(pb, b);
  await pb.getByRole('link', { name: 'Văn bản đến' }).click();
  await pb.getByRole('heading', { name: 'Văn bản đến' }).waitFor();
  const row = pb.locator('table.docs tr', { hasText: subject });
  await row.waitFor({ timeout: 60_000 });
  await shot(pb, '5-incoming-list');
  await row.getByRole('link').click();
  await pb.getByRole('button', { name: 'Tiếp nhận', exact: true }).click();
  await pb.locator('h1 .badge', { hasText: 'Đã tiếp nhận' }).waitFor();
  await shot(pb, '6-accepted-at-b');

  // --- Office A: the recipient's status is "accepted", in Vietnamese ---
  await pa.getByRole('link', { name: 'Văn bản đi' }).click();
  const status = pa.locator(`table.docs tr:has-text("${subject}") li[data-organ="${b.organ}"]`);
  await pa.locator(`table.docs tr:has-text("${subject}") li[data-organ="${b.organ}"][data-status="03"]`).waitFor({ timeout: 60_000 });
  t.match(await status.textContent(), /Đã tiếp nhận/, 'A sees "Đã tiếp nhận" for B');
  await shot(pa, '7-accepted-seen-at-a');

  // The history of the document shows B's statuses.
  await pa.locator(`table.docs tr:has-text("${subject}") a`).click();
  await pa.getByRole('heading', { name: 'Lịch sử' }).waitFor();
  t.match(await pa.locator('ol.history').textContent(), /03 Đã tiếp nhận/, 'history lists the 03 status');

  // Report: a chart drawn as inline SVG.
  await pa.getByRole('link', { name: 'Báo cáo' }).click();
  await pa.locator('svg.chart rect').first().waitFor();
  t.ok((await pa.locator('svg.chart rect').count()) >= 1, 'the report chart has bars');
  await shot(pa, '8-report');

  // English is one click away and remembered across a reload.
  await pa.getByRole('button', { name: 'English' }).click();
  await pa.getByRole('heading', { name: 'Report' }).waitFor();
  await pa.reload();
  await pa.getByRole('link', { name: 'Outgoing' }).waitFor();
  t.equal(await pa.evaluate('document.documentElement.lang'), 'en', 'the language choice is remembered');
  await pa.getByRole('button', { name: 'Tiếng Việt' }).click();
  await pa.getByRole('link', { name: 'Văn bản đi' }).waitFor();

  // Phone width: the outgoing list fits 380 px without sideways scrolling.
  await pa.setViewportSize({ width: 380, height: 800 });
  await pa.getByRole('link', { name: 'Văn bản đi' }).click();
  await pa.locator('table.docs tr', { hasText: subject }).waitFor();
  const overflow = (await pa.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
  t.ok(overflow <= 0, `no horizontal overflow at 380 px (overflow ${overflow}px)`);
  await shot(pa, '9-phone-width');

  // Keyboard: after a view change focus is on its heading, Tab goes on into the content (the
  // first document link), focus is visibly outlined, and the first focusable element of the
  // page is the skip link.
  await pa.keyboard.press('Tab');
  // Evaluated in the page (strings: the test's TypeScript has no DOM types).
  const focused = (await pa.evaluate(`(() => {
    const el = document.activeElement;
    return { tag: el ? el.tagName : '', inMain: Boolean(el && el.closest('main')), outline: el ? getComputedStyle(el).outlineStyle : 'none' };
  })()`)) as { tag: string; inMain: boolean; outline: string };
  t.same({ tag: focused.tag, inMain: focused.inMain }, { tag: 'A', inMain: true }, 'Tab from the heading reaches the first link of the list');
  t.not(focused.outline, 'none', 'focus is visible');
  t.equal(await pa.evaluate(`document.querySelector('a[href], button, input, select, textarea').className`), 'skip', 'the skip link comes first');
});

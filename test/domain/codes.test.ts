import t from 'tap';
import { PRIORITIES, isPriority, parsePriority, priorityName, byPriorityDescending } from '../../src/domain/priority.js';
import { isSecret, readSecrecy, secrecyName } from '../../src/domain/secrecy.js';
import { STATUS_CODES, codesSentBy, isStatusCode, parseStatusCode, statusCodeInfo } from '../../src/domain/status-codes.js';
import { readCompetence } from '../../src/domain/competence.js';

t.test('priorities 0–4 with Vietnamese names', async (t) => {
  t.same(PRIORITIES.map((p) => p.name), ['Thường', 'Khẩn', 'Thượng khẩn', 'Hỏa tốc', 'Hỏa tốc hẹn giờ']);
  t.equal(priorityName(3), 'Hỏa tốc');
  t.ok(isPriority(0));
  t.ok(isPriority(4));
  for (const bad of [-1, 5, 1.5, '1', null, NaN]) t.notOk(isPriority(bad), String(bad));
  t.equal(parsePriority(' 2 '), 2);
  t.equal(parsePriority('7'), undefined);
  t.equal(parsePriority('Khẩn'), undefined);
  const sorted = [{ priority: 0 as const }, { priority: 3 as const }, { priority: 1 as const }].sort(byPriorityDescending);
  t.same(sorted.map((x) => x.priority), [3, 1, 0], 'higher priority first');
});

t.test('secrecy: anything but none is secret', async (t) => {
  t.equal(isSecret('none'), false);
  t.equal(isSecret(' NONE '), false);
  for (const s of ['mat', 'toi-mat', 'tuyet-mat', 'Mật', 'Tối mật', 'TUYỆT MẬT', 'toi mat', 'secret', '', 'không mật', null, undefined, 0, false, {}, []]) {
    t.equal(isSecret(s), true, `${JSON.stringify(s)} is secret`);
  }
  t.equal(readSecrecy('Tối mật'), 'toi-mat');
  t.equal(readSecrecy('Tối mật'.normalize('NFD')), 'toi-mat');
  t.equal(readSecrecy('tuyet_mat'), 'tuyet-mat');
  t.equal(readSecrecy('Mật'), 'mat');
  t.equal(readSecrecy('confidential'), 'unrecognised');
  t.equal(secrecyName('tuyet-mat'), 'Tuyệt mật');
});

t.test('status codes of domain.md §4', async (t) => {
  t.same([...STATUS_CODES], ['01', '02', '03', '04', '05', '06', '13', '15', '16']);
  t.same(codesSentBy('sender'), ['13']);
  t.same(codesSentBy('receiver'), ['01', '02', '03', '04', '05', '06', '15', '16']);
  t.equal(statusCodeInfo('02').vi, 'Từ chối tiếp nhận');
  t.equal(statusCodeInfo('06').en, 'done');
  for (const never of ['07', '12', '14', '00', '1', 3]) t.notOk(isStatusCode(never), String(never));
  t.equal(parseStatusCode('3'), '03');
  t.equal(parseStatusCode(' 06 '), '06');
  t.equal(parseStatusCode(15), '15');
  t.equal(parseStatusCode('14'), undefined);
  t.equal(parseStatusCode('0x3'), undefined);
  t.equal(parseStatusCode({}), undefined);
});

t.test('competence', async (t) => {
  t.equal(readCompetence('TM.'), 'TM.');
  t.equal(readCompetence(' tuq '), 'TUQ.');
  t.equal(readCompetence('q'), 'Q.');
  t.equal(readCompetence('KT'), 'KT.');
  t.equal(readCompetence('XX.'), undefined);
  t.equal(readCompetence('T.M.'), undefined);
});

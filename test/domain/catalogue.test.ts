import t from 'tap';
import {
  DOCUMENT_TYPES,
  DOCUMENT_TYPE_IDS,
  PILOT_TYPE_IDS,
  documentTypeById,
  findDocumentTypeByName,
  isDocumentTypeId,
} from '../../src/domain/catalogue.js';
import { foldKey } from '../../src/domain/text.js';

t.test('the catalogue of domain.md §3', async (t) => {
  t.equal(DOCUMENT_TYPES.length, 31);
  t.same(DOCUMENT_TYPES.map((d) => d.id), [...DOCUMENT_TYPE_IDS], 'ids listed in table order');
  t.equal(new Set(DOCUMENT_TYPE_IDS).size, 31, 'ids unique');
  for (const d of DOCUMENT_TYPES) {
    t.match(d.id, /^[A-Z]{2,3}$/, `${d.id} is ASCII and fits the config pattern`);
    t.equal(d.name, d.name.normalize('NFC'), `${d.id} name is NFC`);
  }
  t.same(documentTypeById('QD'), { id: 'QD', name: 'Quyết định', abbreviation: 'QĐ', pilot: true });
  t.equal(documentTypeById('CV')?.abbreviation, null);
  t.equal(documentTypeById('THC')?.abbreviation, null);
  t.equal(documentTypeById('TTR')?.abbreviation, 'TTr');
  t.equal(documentTypeById('QYD')?.abbreviation, 'QyĐ');
  t.equal(documentTypeById('qd'), undefined, 'ids are exact');
  t.ok(isDocumentTypeId('GM'));
  t.notOk(isDocumentTypeId('XX'));
  t.notOk(isDocumentTypeId(7));
});

t.test('the pilot list is the default paperless list of the config spec', async (t) => {
  t.same(
    [...PILOT_TYPE_IDS].sort(),
    ['ND', 'TT', 'NQ', 'QD', 'CT', 'QC', 'QYD', 'TB', 'HD', 'KH', 'DEA', 'DUA', 'BC', 'TTR', 'CV', 'CD', 'GM', 'PG', 'PC'].sort(),
  );
});

t.test('folded names are unique, so diacritic-less matching is unambiguous', async (t) => {
  t.equal(new Set(DOCUMENT_TYPES.map((d) => foldKey(d.name))).size, DOCUMENT_TYPES.length);
});

t.test('incoming TypeName matching is tolerant', async (t) => {
  const cv = ['Công văn', 'công văn', 'CÔNG VĂN', '  Công   văn ', 'Công văn'.normalize('NFD'), 'Cong van', 'cong  van'];
  for (const name of cv) t.equal(findDocumentTypeByName(name)?.id, 'CV', JSON.stringify(name));
  t.equal(findDocumentTypeByName('Quy dinh')?.id, 'QYD', 'Quy định and Quyết định stay apart');
  t.equal(findDocumentTypeByName('Quyet dinh')?.id, 'QD');
  t.equal(findDocumentTypeByName('Bản thoả thuận')?.id, 'BTT', 'old tone placement');
  t.equal(findDocumentTypeByName('Giấy uỷ quyền')?.id, 'GUQ');
  t.equal(findDocumentTypeByName('Đề án')?.id, 'DEA');
  t.equal(findDocumentTypeByName('Dự án')?.id, 'DUA');
  t.equal(findDocumentTypeByName('Thông tư')?.id, 'TT');
  t.equal(findDocumentTypeByName('Thư công')?.id, 'THC');
  for (const miss of ['', 'Công', 'Văn bản khác', 'CV', 71, null, undefined, {}, 'x'.repeat(10_000)]) {
    t.equal(findDocumentTypeByName(miss), undefined, `no match for ${JSON.stringify(miss)?.slice(0, 20)}`);
  }
});

t.test('every row of domain.md §3: id, Vietnamese name, abbreviation, pilot flag', async (t) => {
  // Copied by hand from the table (— = no abbreviation); a typo in the catalogue fails here.
  const TABLE: [string, string, string | null, boolean][] = [
    ['ND', 'Nghị định', 'NĐ', true], ['TT', 'Thông tư', 'TT', true], ['NQ', 'Nghị quyết', 'NQ', true],
    ['QD', 'Quyết định', 'QĐ', true], ['CT', 'Chỉ thị', 'CT', true], ['QC', 'Quy chế', 'QC', true],
    ['QYD', 'Quy định', 'QyĐ', true], ['TC', 'Thông cáo', 'TC', false], ['TB', 'Thông báo', 'TB', true],
    ['HD', 'Hướng dẫn', 'HD', true], ['CTR', 'Chương trình', 'CTr', false], ['KH', 'Kế hoạch', 'KH', true],
    ['PA', 'Phương án', 'PA', false], ['DEA', 'Đề án', 'ĐA', true], ['DUA', 'Dự án', 'DA', true],
    ['BC', 'Báo cáo', 'BC', true], ['BB', 'Biên bản', 'BB', false], ['TTR', 'Tờ trình', 'TTr', true],
    ['HDG', 'Hợp đồng', 'HĐ', false], ['CV', 'Công văn', null, true], ['CD', 'Công điện', 'CĐ', true],
    ['BGN', 'Bản ghi nhớ', 'BGN', false], ['BTT', 'Bản thỏa thuận', 'BTT', false], ['GUQ', 'Giấy ủy quyền', 'GUQ', false],
    ['GM', 'Giấy mời', 'GM', true], ['GGT', 'Giấy giới thiệu', 'GGT', false], ['GNP', 'Giấy nghỉ phép', 'GNP', false],
    ['PG', 'Phiếu gửi', 'PG', true], ['PC', 'Phiếu chuyển', 'PC', true], ['PB', 'Phiếu báo', 'PB', false],
    ['THC', 'Thư công', null, false],
  ];
  t.equal(DOCUMENT_TYPES.length, TABLE.length);
  for (const [id, name, abbreviation, pilot] of TABLE) {
    t.same(documentTypeById(id), { id, name: name.normalize('NFC'), abbreviation: abbreviation?.normalize('NFC') ?? null, pilot }, id);
  }
});

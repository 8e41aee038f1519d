import { AppError } from '../errors.js';
import type { VerifyResult } from '../signing/types.js';
import { C, type DocumentRecord, type IncomingRecord, type OutgoingRecord, type StoredFile } from './records.js';
import { viewContext, type DocumentsDeps } from './context.js';
import { listRecords } from './list.js';
import type { OrganDirectory } from './organs.js';
import { buildReport, queueSnapshot } from './report.js';
import { signUpload, verifyUpload } from './sign-verify.js';
import { recallDocument, setIncomingStatus } from './status-actions.js';
import { submitDocument } from './submit.js';
import type {
  Actor,
  DocumentView,
  DocumentsService,
  FileStream,
  ListQuery,
  ListResult,
  OrganEntry,
  QueueSnapshot,
  ReportQuery,
  ReportSummary,
  SignInput,
  SignedOutput,
  SubmitInput,
  UploadedFile,
} from './types.js';
import { toView } from './view.js';

/**
 * The DocumentsService of types.ts: each use case lives in its own module; this class only looks
 * records up and turns them into views.
 */
export class Documents implements DocumentsService {
  constructor(
    private readonly deps: DocumentsDeps,
    private readonly directory?: OrganDirectory,
  ) {}

  async submit(input: SubmitInput): Promise<DocumentView> {
    return this.view(await submitDocument(this.deps, input));
  }

  sign(input: SignInput): Promise<SignedOutput> {
    return signUpload(this.deps, input);
  }

  verify(file: UploadedFile, signature?: UploadedFile): Promise<VerifyResult> {
    return verifyUpload(this.deps, file, signature);
  }

  async list(query: ListQuery): Promise<ListResult> {
    const { items, nextCursor } = listRecords(this.deps.store, query);
    const ctx = viewContext(this.deps);
    return { items: items.map((r) => toView(r, ctx)), nextCursor };
  }

  async get(id: string): Promise<DocumentView> {
    return this.view(await this.record(id));
  }

  async openFile(id: string): Promise<FileStream> {
    const r = await this.record(id);
    return this.open(r.file, 'file');
  }

  async openAttachment(id: string, n: number): Promise<FileStream> {
    const r = await this.record(id);
    // 0-based over the attachments that are still present, as `DocumentView.attachments` lists them.
    const present = r.attachments.filter((a) => !a.removed);
    return this.open(Number.isInteger(n) && n >= 0 ? (present[n] ?? null) : null, `attachment ${n}`);
  }

  async openEdxml(id: string): Promise<FileStream> {
    const r = await this.record(id);
    return this.open(r.edxml, 'package');
  }

  async setIncomingStatus(id: string, code: string, description: string | undefined, actor: Actor): Promise<DocumentView> {
    return this.view(await setIncomingStatus(this.deps, id, code, description, actor));
  }

  async recall(id: string, reason: string, actor: Actor): Promise<DocumentView> {
    return this.view(await recallDocument(this.deps, id, reason, actor));
  }

  async organs(q?: string): Promise<OrganEntry[]> {
    if (!this.directory) return [];
    if (this.deps.store.activeCount(C.organs) === 0) await this.directory.sync().catch(() => 0);
    return this.directory.list(q);
  }

  report(query: ReportQuery): Promise<ReportSummary> {
    return buildReport(this.deps.store, query, viewContext(this.deps));
  }

  async queue(): Promise<QueueSnapshot> {
    return queueSnapshot(this.deps.store, viewContext(this.deps));
  }

  private view(r: DocumentRecord): DocumentView {
    return toView(r, viewContext(this.deps));
  }

  private async record(id: string): Promise<DocumentRecord> {
    if (typeof id !== 'string' || id.length === 0 || id.length > 200) throw new AppError('NOT_FOUND', 'no such document');
    const { store } = this.deps;
    const r =
      (await store.collection<OutgoingRecord>(C.outgoing).get(id)) ??
      (await store.collection<IncomingRecord>(C.incoming).get(id));
    if (!r) throw new AppError('NOT_FOUND', `no document ${id}`);
    return r;
  }

  private async open(f: StoredFile | null, what: string): Promise<FileStream> {
    if (!f) throw new AppError('NOT_FOUND', `no ${what}`);
    if (f.removed) throw new AppError('NOT_FOUND', `the ${what} was removed (the document was recalled)`);
    const stream = await this.deps.store.blobs.open(f.sha256);
    return { stream, contentType: f.contentType, filename: f.name, size: f.size };
  }
}

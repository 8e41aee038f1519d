import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Store, type StoreOptions } from '../../src/store/index.js';

/** A fresh temp state directory, removed when the test ends. */
export async function tempStateDir(t: { teardown(fn: () => unknown): void }, prefix = 'edoc-store-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens a store on `dir` with no free-space reserve (temp filesystems are small). */
export function openStore(dir: string, opts: Partial<StoreOptions> = {}): Promise<Store> {
  return Store.open({ stateDir: dir, reserveBytes: 0, ...opts });
}


/** The shape tap's `rejects` matches an AppError against. */
export interface AppErrorLike {
  code: string;
}

/**
 * Transpiles `entry` and every relative module it imports (types stripped, no type check) into a
 * directory under the repository's node_modules/.cache, so packages resolve as usual, and returns
 * the entry's .js path. Spawning plain `node` on it starts in milliseconds; going through the
 * ts loader costs seconds per child on a busy machine, too slow for a test that spawns dozens.
 */
export async function compileForChild(t: { teardown(fn: () => unknown): void }, entry: string): Promise<string> {
  const ts = (await import('typescript')).default;
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  const { mkdir, readFile, writeFile } = await import('node:fs/promises');
  await mkdir(path.join(root, 'node_modules', '.cache'), { recursive: true });
  const out = await mkdtemp(path.join(root, 'node_modules', '.cache', 'edoc-child-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  const todo = [path.resolve(entry)];
  const done = new Set<string>();
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const src = await readFile(file, 'utf8');
    for (const m of src.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      todo.push(path.resolve(path.dirname(file), `${m[1]}.ts`));
    }
    const js = ts.transpileModule(src, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, experimentalDecorators: true },
    }).outputText;
    const dest = path.join(out, path.relative(root, file)).replace(/\.ts$/, '.js');
    await mkdir(path.dirname(dest), { recursive: true });
    await writeFile(dest, js);
  }
  await writeFile(path.join(out, 'package.json'), '{"type":"module"}\n');
  return path.join(out, path.relative(root, path.resolve(entry))).replace(/\.ts$/, '.js');
}

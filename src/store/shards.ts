import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DurableFile } from './durable-file.js';
import { fsyncDir } from './fs-ops.js';

/** What one shard file holds: active records by id. */
export interface ShardData {
  records: Record<string, unknown>;
}

/**
 * The active records of one collection, split over `count` lowdb files by a hash of the id, so a
 * checkpoint rewrites only the shards that changed, each a fraction of the collection. Each shard
 * is a lowdb `Low` over a DurableFile; the in-memory `data` is the live state the store reads.
 */
export class ShardSet {
  private readonly shards: Low<ShardData>[] = [];
  private readonly dirty = new Set<number>();
  private dirReady = false;

  /** An empty set; its directory and files are created by the first flush. */
  constructor(
    readonly name: string,
    readonly dir: string,
    count: number,
  ) {
    for (let i = 0; i < count; i++) {
      this.shards.push(new Low<ShardData>(new DurableFile<ShardData>(path.join(dir, shardName(i))), { records: {} }));
    }
  }

  /** Reads every shard file of an existing collection directory. */
  static async load(dir: string, name: string, count: number): Promise<ShardSet> {
    const set = new ShardSet(name, dir, count);
    for (const low of set.shards) await low.read();
    await readdir(dir);
    set.dirReady = true;
    return set;
  }

  get(id: string): unknown | undefined {
    return this.shardOf(id).data.records[id];
  }

  has(id: string): boolean {
    return Object.hasOwn(this.shardOf(id).data.records, id);
  }

  set(id: string, value: unknown): void {
    this.shardOf(id).data.records[id] = value;
    this.dirty.add(this.indexOf(id));
  }

  delete(id: string): void {
    delete this.shardOf(id).data.records[id];
    this.dirty.add(this.indexOf(id));
  }

  *values(): Generator<unknown> {
    for (const s of this.shards) yield* Object.values(s.data.records);
  }

  count(): number {
    let n = 0;
    for (const s of this.shards) n += Object.keys(s.data.records).length;
    return n;
  }

  /** Durably rewrites the shards changed since the last flush; returns how many were written. */
  async flush(): Promise<number> {
    if (this.dirty.size === 0) return 0;
    if (!this.dirReady) {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await fsyncDir(path.dirname(this.dir));
      this.dirReady = true;
    }
    const todo = [...this.dirty].sort((a, b) => a - b);
    for (const i of todo) {
      await this.shards[i]!.write();
      this.dirty.delete(i);
    }
    return todo.length;
  }

  /** The file names and contents of every shard, as they are in memory (for backups). */
  snapshot(): { file: string; text: string }[] {
    return this.shards.map((s, i) => ({ file: shardName(i), text: JSON.stringify(s.data) + '\n' }));
  }

  private indexOf(id: string): number {
    return fnv1a(id) % this.shards.length;
  }

  private shardOf(id: string): Low<ShardData> {
    return this.shards[this.indexOf(id)]!;
  }
}

export function shardName(i: number): string {
  return `${String(i).padStart(2, '0')}.json`;
}

/** FNV-1a 32-bit: stable across versions and platforms, which is all shard placement needs. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

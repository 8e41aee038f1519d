/**
 * What a CLI command gets: where to write for people and for programs, and whether `--json` was
 * asked. Commands return their exit code (errors.ts EXIT) instead of calling process.exit, so they
 * can be tested in-process.
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  json: boolean;
  env: NodeJS.ProcessEnv;
  /** Standard input as text (passwords are read from stdin, never argv). */
  readStdin(): Promise<string>;
}

export type CommandHandler = (argv: string[], io: CliIo) => Promise<number>;

export function processIo(json: boolean): CliIo {
  return {
    out: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
    err: (s) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
    json,
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

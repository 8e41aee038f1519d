import path from 'node:path';
import { parse, UsageError } from '../args.js';
import type { CliIo } from '../io.js';
import { EXIT } from '../../errors.js';
import { startDemo, type Demo } from '../../demo/index.js';
import { ensurePrerequisites } from '../../demo/prerequisites.js';
import { linkToParent } from '../../demo/parent-link.js';

const HELP = `usage: edoc-gateway demo [--dir DIR] [--port N] [--host ADDR] [--emulator] [--verbose] [--json]

Brings up the whole appliance on embedded defaults under ./var/demo (or DIR): a commune and its
province, each with its own gateway (SoftHSM2 token, store, relay, HTTPS staff page, status
display, technician console), talking to one axis simulator on this machine over the real
protocol. Prints the staff page URLs, a clerk login per office, the console and display paths,
and a sample PDF already signed by the competent person. Running it again reuses the same state.

  --dir DIR     state directory (default ./var/demo)
  --port N      office A listens on N, office B on N+1 (default 8443; 0 = any free ports)
  --host ADDR   listen address (default 127.0.0.1; 0.0.0.0 to reach it from the LAN)
  --emulator    use the TypeScript display emulator even when the AVR tools are present
  --verbose     service logs to stdout instead of DIR/logs/
  --json        print what is running as one JSON object (for scripts and tests)

Ctrl-C stops everything cleanly.`;

export async function demoCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    dir: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    emulator: { type: 'boolean' },
    verbose: { type: 'boolean' },
  });
  if (values.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const port = Number(values.port ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65534) throw new UsageError('--port must be 0..65534');
  const say = (line: string): void => {
    if (!io.json) io.out(line);
  };

  const pre = ensurePrerequisites(say);
  if (!pre.ok) {
    io.err(pre.message);
    return EXIT.UNAVAILABLE;
  }

  const dir = path.resolve(values.dir ?? 'var/demo');
  // Listen for Ctrl-C from the start: a signal during start-up stops what was started so far.
  let signalled: NodeJS.Signals | null = null;
  let wake: ((s: NodeJS.Signals) => void) | null = null;
  const onSignal = (s: NodeJS.Signals): void => {
    signalled ??= s;
    wake?.(s);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Started by a program over an IPC channel (the tests): its death stops the demo like SIGTERM.
  const unlink = linkToParent(() => onSignal('SIGTERM'));
  try {
    return await runDemo(dir, port, values, io, say, () => signalled, (fn) => (wake = fn));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    unlink();
  }
}

async function runDemo(
  dir: string,
  port: number,
  values: { host?: string | undefined; emulator?: boolean | undefined; verbose?: boolean | undefined },
  io: CliIo,
  say: (line: string) => void,
  signalled: () => NodeJS.Signals | null,
  onWake: (fn: (s: NodeJS.Signals) => void) => void,
): Promise<number> {
  let demo: Demo;
  try {
    demo = await startDemo({
      dir,
      port,
      host: values.host ?? '127.0.0.1',
      emulatorOnly: values.emulator === true,
      logToStdout: values.verbose === true,
      say,
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      io.err(`demo: port ${port} or ${port + 1} is in use; try --port 0 or another --port`);
      return EXIT.UNAVAILABLE;
    }
    throw e;
  }

  io.out(io.json ? JSON.stringify(describe(demo)) : banner(demo));

  // Ctrl-C (SIGINT) or SIGTERM: stop the offices, the simulator and every child, then exit 0.
  const signal = signalled() ?? (await new Promise<NodeJS.Signals>((resolve) => onWake(resolve)));
  say(`\n${signal}: stopping the demo …`);
  await demo.stop();
  say('demo stopped.');
  // Everything is closed; should a stray handle still hold the loop, do not hang at the prompt.
  setTimeout(() => process.exit(EXIT.OK), 5000).unref();
  return EXIT.OK;
}

function describe(demo: Demo): Record<string, unknown> {
  return {
    dir: demo.dir,
    axis: demo.axisUrl,
    samplePdf: demo.samplePdf,
    offices: demo.offices.map((o) => ({
      key: o.key,
      organId: o.organ,
      name: o.name,
      url: o.url,
      username: o.username,
      password: o.password,
      display: o.display,
      console: o.console,
      log: o.logFile,
    })),
  };
}

function banner(demo: Demo): string {
  const rel = (p: string): string => {
    const r = path.relative(process.cwd(), p);
    return r.startsWith('..') ? p : r;
  };
  const lines = ['', 'edoc-gateway demo is running (state in ' + rel(demo.dir) + ')', ''];
  for (const o of demo.offices) {
    lines.push(`Office ${o.key.toUpperCase()}: ${o.name}  [${o.organ}]`);
    lines.push(`  staff page   ${o.url}/   (self-signed certificate: accept it once)`);
    lines.push(`  sign in      ${o.username} / ${o.password}`);
    if (o.display) {
      const what = o.display.kind === 'firmware' ? 'display firmware in simavr' : 'display emulator';
      lines.push(`  display      ${what} on ${o.display.path}; LCD rows: watch -n1 cat ${rel(o.display.lcdFile)}`);
    }
    if (o.console) lines.push(`  console      screen ${o.console} 115200   (or: picocom -b 115200 ${o.console}); type help`);
    if (o.logFile) lines.push(`  log          ${rel(o.logFile)}`);
    lines.push('');
  }
  lines.push(`Axis simulator  ${demo.axisUrl}  (both offices use it as their remote axis endpoint)`);
  lines.push(`Sample PDF      ${rel(demo.samplePdf)}  (already signed by the competent person)`);
  lines.push('');
  const [a, b] = demo.offices;
  if (a && b) {
    lines.push('Try it: open office A, sign in, "Gửi văn bản", pick ' + b.name + ' as recipient,');
    lines.push('attach the sample PDF and send. Sign in at office B: the document arrives (Văn bản đến);');
    lines.push('"Tiếp nhận" (accept) it, and office A shows "Đã tiếp nhận" for that recipient.');
    lines.push('');
  }
  lines.push('Ctrl-C stops everything.');
  return lines.join('\n');
}

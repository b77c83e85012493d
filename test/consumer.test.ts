/**
 * The package as a user installs it. `npm pack` (whose `prepare` builds dist/),
 * run in a copy of the working tree, makes the tarball; publint and attw check
 * it; a consumer project in a temp directory installs it offline with the exact
 * versions of package-lock.json (scripts/consumer/lockfile.ts), and then:
 * - strict consumers (nodenext with a .mts and a .cts, bundler, browser without
 *   @types/node) type-check with TypeScript 5.9 and TypeScript 7, skipLibCheck off;
 * - an `import` user and a `require` user talk to a loopback echo server, and the
 *   subpath entry points load through `require`;
 * - every ts/tsx block of README.md and examples/inspector/README.md type-checks
 *   (TypeScript 7, strict; ts blocks as Node ES modules with the DOM lib too, as
 *   some show browser code), every svelte block compiles without warnings, and
 *   the Quick start block runs as written.
 * The consumer's sources are in test/consumer/.project: a dot directory, which the
 * repository's tsconfig and eslint skip, as those files import the package by name.
 */
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'svelte/compiler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { consumerProject, type Lockfile, type PackedManifest } from '../scripts/consumer/lockfile.js';
import { blockFileName, fencedBlocks, type CodeBlock } from '../scripts/consumer/markdown.js';

/** What the Quick start block must print: the text it sends to its echo server. */
const QUICK_START_ECHO = 'hello';
/**
 * attw rules ignored. `cjs-resolves-to-esm`: the package is ESM only and
 * `require('minch')` is Node's require of an ES module (Node ^20.19 and
 * >= 22.12, which package.json's `engines` asks for; TypeScript's `nodenext`
 * and `node20` modules type it). attw's own TypeScript predates that. What the
 * rule guards is checked below instead: the `.cts` consumer type-checks with
 * `import minch = require('minch')`, and the `require` user runs.
 */
const ATTW_IGNORED_RULES: string[] = ['cjs-resolves-to-esm'];
/** What the Node users send to the test's echo server. */
const ECHO_TEXT = 'echo from a consumer ✓';
/** Top-level packages of package-lock.json the consumer installs next to the tarball. */
const CONSUMER_PACKAGES = [
  'typescript',
  'typescript-7',
  '@types/node',
  '@types/ws',
  'ws',
  'react',
  '@types/react',
  '@xstate/react',
  'svelte',
  '@xstate/svelte',
  '@opentelemetry/api',
  '@statelyai/inspect', // imported by a block of examples/inspector/README.md
  'vitest', // runs the block of "Testing your client"
];
const MARKDOWN_FILES = ['README.md', 'examples/inspector/README.md'];
const COMPILERS = [
  { name: 'TypeScript 5.9', tsc: 'node_modules/typescript/bin/tsc', pkg: 'node_modules/typescript/package.json' },
  { name: 'TypeScript 7', tsc: 'node_modules/typescript-7/bin/tsc', pkg: 'node_modules/typescript-7/package.json' },
] as const;
const CONFIGS = ['nodenext', 'bundler', 'browser'] as const;
/** Parallel compilers: one per core. */
const PARALLEL = 2;
const LONG = 240_000;

const fileStarted = performance.now();
const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = join(root, 'test/consumer/.project');

// ---------------------------------------------------------------- processes

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to its end; never rejects (a missing binary is code null with the error in stderr). */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64e6 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        const signal = error?.signal ?? null;
        const why = error !== null && code === null && signal === null ? `${error.message}\n` : '';
        resolve({ code, signal, stdout, stderr: why + stderr, ms: performance.now() - started });
      },
    );
  });
}

const output = (r: Ran): string => `${r.stdout}${r.stderr}`.trim();
const describeExit = (r: Ran): string => (r.signal === null ? `exit ${r.code}` : `killed by ${r.signal}`);

/** At most `size` jobs at a time; a finished job hands its slot to the next one waiting. */
function pool(size: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (job) => {
    if (active < size) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await job();
    } finally {
      const next = waiting.shift();
      if (next === undefined) active--;
      else next();
    }
  };
}

const timings: { phase: string; ms: number }[] = [];
async function timed<T extends { ms: number }>(phase: string, job: Promise<T>): Promise<T> {
  const result = await job;
  timings.push({ phase, ms: result.ms });
  return result;
}

// ---------------------------------------------------------------- TypeScript output

interface Diagnostic {
  file: string | null;
  line: number;
  column: number;
  text: string;
}

/** `tsc --pretty false` diagnostics: `file(line,col): error TS1234: text`, continuation lines indented. */
function diagnostics(stdout: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const line of stdout.split('\n')) {
    const located = /^(.+?)\((\d+),(\d+)\): (error|warning) (.*)$/.exec(line);
    const global = /^(error|warning) (TS\d+: .*)$/.exec(line);
    if (located !== null) {
      const [file, row, column, text] = [located[1], located[2], located[3], located[5]] as string[];
      found.push({ file: file as string, line: Number(row), column: Number(column), text: text as string });
    } else if (global !== null) found.push({ file: null, line: 0, column: 0, text: global[2] as string });
    else if (/^\s+\S/.test(line) && found.length > 0) (found.at(-1) as Diagnostic).text += `\n${line}`;
  }
  return found;
}

/**
 * The working tree as it is (tracked and untracked files, without ignored ones
 * such as dist/), with the repository's node_modules linked in: packing there
 * builds a dist/ of its own, so the repository's dist/, which other test files
 * load, is never removed under them.
 */
async function copyWorkingTree(dest: string): Promise<void> {
  const listed = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root });
  if (listed.code !== 0) throw new Error(`git ls-files failed (${describeExit(listed)}):\n${output(listed)}`);
  const files = listed.stdout.split('\0').filter((file) => file !== '' && existsSync(join(root, file)));
  await Promise.all(
    files.map(async (file) => {
      await mkdir(dirname(join(dest, file)), { recursive: true });
      await copyFile(join(root, file), join(dest, file));
    }),
  );
  await symlink(join(root, 'node_modules'), join(dest, 'node_modules'), 'dir');
}

const formatDiagnostic = (d: Diagnostic): string =>
  d.file === null ? d.text : `${d.file}(${d.line},${d.column}): ${d.text}`;

// ---------------------------------------------------------------- README blocks

const blocks = MARKDOWN_FILES.flatMap((file) => fencedBlocks(readFileSync(join(root, file), 'utf8'), file));
const tsBlocks = blocks.filter((b) => b.lang === 'ts');
const tsxBlocks = blocks.filter((b) => b.lang === 'tsx');
const svelteBlocks = blocks.filter((b) => b.lang === 'svelte');
const quickStart = tsBlocks.find((b) => b.source === 'README.md' && b.heading === 'Quick start');
const testingBlock = tsBlocks.find((b) => b.source === 'README.md' && b.heading === 'Testing your client');
/** Where the "Testing your client" block is written as a test file, so vitest finds it. */
const TESTING_FILE = 'readme-tests/testing.test.ts';
/** Where a block is written in the consumer, relative to its root. */
const blockPath = (b: CodeBlock): string => `readme/${blockFileName(b, b.lang)}`;
const blockTitle = (b: CodeBlock): string => `${b.source}:${b.line} (\`\`\`${b.lang} block ${b.ordinal})`;

/** A diagnostic in a block file, told at its Markdown line. */
function atMarkdown(b: CodeBlock, d: Diagnostic): string {
  return `${b.source}:${b.line + d.line - 1}:${d.column} (${blockPath(b)}:${d.line}): ${d.text}`;
}

// ---------------------------------------------------------------- the shared set-up

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  integrity: string;
}

interface Checks {
  publint: Promise<Ran>;
  attw: Promise<Ran>;
  matrix: Map<string, Promise<Ran>>;
  readmeTs: Promise<Ran>;
  readmeTsx: Promise<Ran>;
  readmeVitest: Promise<Ran>;
  esm: Promise<Ran>;
  cjs: Promise<Ran>;
  entries: Promise<Ran>;
}

let temp = '';
let consumer = '';
let checks: Checks;
let compilerVersions: Record<string, string> = {};
let server: WebSocketServer | undefined;

const cellName = (compiler: string, config: string): string => `${config} × ${compiler}`;

beforeAll(async () => {
  const started = performance.now();
  temp = await mkdtemp(join(tmpdir(), 'minch-consumer-'));
  consumer = join(temp, 'app');

  // 1. The tarball, exactly as `npm publish` would upload it, from a copy of the working tree.
  const source = join(temp, 'source');
  await copyWorkingTree(source);
  const pack = await timed(
    'npm pack (prepare: tsc build)',
    run('npm', ['pack', '--json', '--pack-destination', temp], { cwd: source }),
  );
  if (pack.code !== 0) throw new Error(`npm pack failed (${describeExit(pack)}):\n${output(pack)}`);
  const [packed] = JSON.parse(pack.stdout) as [Packed];
  const tarball = join(temp, packed.filename);
  console.log(
    `tarball ${packed.filename}: ${packed.size} bytes (${(packed.size / 1024).toFixed(1)} KiB), ` +
      `${packed.unpackedSize} bytes unpacked, ${packed.entryCount} files`,
  );

  // 2. The tarball checks need nothing else: they run while the consumer installs.
  const ignored = ATTW_IGNORED_RULES.length > 0 ? ['--ignore-rules', ...ATTW_IGNORED_RULES] : [];
  const publint = timed('publint --strict', run('npx', ['--no', '--', 'publint', '--strict', tarball], { cwd: root }));
  const attw = timed(
    'attw',
    run('npx', ['--no', '--', 'attw', tarball, '--profile', 'strict', '--format', 'table', '--no-color', ...ignored], {
      cwd: root,
    }),
  );

  // 3. The consumer: the tarball and exact versions of package-lock.json, from the npm cache only.
  const [manifestJson, registry] = await Promise.all([
    run('tar', ['-xOzf', tarball, 'package/package.json'], { cwd: temp }),
    run('npm', ['config', 'get', 'registry'], { cwd: root }),
  ]);
  if (manifestJson.code !== 0) throw new Error(`cannot read package.json from the tarball:\n${output(manifestJson)}`);
  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as Lockfile;
  const { packageJson, packageLock } = consumerProject({
    lock,
    manifest: JSON.parse(manifestJson.stdout) as PackedManifest,
    tarball: `../${packed.filename}`,
    integrity: packed.integrity,
    packages: CONSUMER_PACKAGES,
    registry: registry.stdout.trim() || 'https://registry.npmjs.org/',
  });
  await cp(fixture, consumer, { recursive: true });
  await writeFile(join(consumer, 'package.json'), JSON.stringify(packageJson, null, 2));
  await writeFile(join(consumer, 'package-lock.json'), JSON.stringify(packageLock, null, 2));
  const install = await timed(
    'npm ci --offline (consumer)',
    run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: consumer }),
  );
  if (install.code !== 0) throw new Error(`offline install failed (${describeExit(install)}):\n${output(install)}`);
  for (const { name, pkg } of COMPILERS) {
    const { version } = JSON.parse(await readFile(join(consumer, pkg), 'utf8')) as { version: string };
    compilerVersions = { ...compilerVersions, [name]: version };
  }

  // 4. README blocks, one module each (`export {}` keeps a block without imports a module).
  await mkdir(join(consumer, 'readme'), { recursive: true });
  for (const b of [...tsBlocks, ...tsxBlocks]) await writeFile(join(consumer, blockPath(b)), `${b.code}export {};\n`);
  if (testingBlock !== undefined) {
    await mkdir(join(consumer, 'readme-tests'), { recursive: true });
    await writeFile(join(consumer, TESTING_FILE), testingBlock.code);
  }

  // 5. Every check starts now, the compilers two at a time, longest first; each test awaits its own.
  const echo = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server = echo;
  echo.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data as Buffer, { binary })));
  await new Promise((resolve) => echo.once('listening', resolve));
  const { port } = echo.address() as { port: number };
  const env = { ...process.env, MINCH_ECHO_URL: `ws://127.0.0.1:${port}/`, MINCH_ECHO_TEXT: ECHO_TEXT };
  const node = (script: string): Promise<Ran> =>
    timed(`node ${script}`, run(process.execPath, [script], { cwd: consumer, env, timeoutMs: 15_000 }));
  const slots = pool(PARALLEL);
  const tsc = (phase: string, bin: string, args: string[]): Promise<Ran> =>
    slots(() => timed(phase, run(process.execPath, [bin, '--pretty', 'false', ...args], { cwd: consumer })));
  const matrix = new Map<string, Promise<Ran>>();
  const typeCheck = (compiler: (typeof COMPILERS)[number]): void => {
    for (const config of ['browser', 'bundler', 'nodenext'] as const) {
      const name = cellName(compiler.name, config);
      const listFiles = config === 'browser' ? ['--listFiles'] : [];
      matrix.set(name, tsc(`tsc ${name}`, compiler.tsc, ['-p', `${config}/tsconfig.json`, ...listFiles]));
    }
  };
  const [ts5, ts7] = COMPILERS;
  typeCheck(ts5);
  typeCheck(ts7);
  const readmeTs = tsc('tsc README ts blocks (7; emits)', ts7.tsc, ['-p', 'readme/tsconfig.ts.json']);
  const readmeTsx = tsc('tsc README tsx blocks (7)', ts7.tsc, ['-p', 'readme/tsconfig.tsx.json']);
  const readmeVitest = timed(
    'vitest run <Testing your client>',
    run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'readme-tests'], {
      cwd: consumer,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      timeoutMs: 60_000,
    }),
  );
  const [esm, cjs, entries] = ['run/echo.mjs', 'run/echo.cjs', 'run/entries.cjs'].map(node) as Promise<Ran>[];
  checks = { publint, attw, matrix, readmeTs, readmeTsx, readmeVitest, esm, cjs, entries } as Checks;
  timings.push({ phase: 'set-up until the checks started', ms: performance.now() - started });
}, LONG);

afterAll(async () => {
  const echo = server;
  if (echo !== undefined) {
    for (const socket of echo.clients) socket.terminate();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  }
  if (temp !== '') await rm(temp, { recursive: true, force: true });
  timings.push({ phase: 'the whole file, set-up to clean-up', ms: performance.now() - fileStarted });
  console.log(
    [
      'phase timings (ms; the checks overlap):',
      ...timings.map((t) => `  ${t.ms.toFixed(0).padStart(6)}  ${t.phase}`),
    ].join('\n'),
  );
});

// ---------------------------------------------------------------- the tests

describe('the packed tarball', () => {
  it('passes publint --strict', { timeout: LONG }, async () => {
    const result = await checks.publint;
    console.log(`publint --strict (${describeExit(result)}):\n${output(result)}`);
    expect(result.code, output(result)).toBe(0);
  });

  it(
    'passes attw with the strict profile (node10, node16 from CJS and from ESM, bundler)',
    { timeout: LONG },
    async () => {
      const result = await checks.attw;
      console.log(`attw --profile strict (${describeExit(result)}):\n${output(result)}`);
      expect(result.code, output(result)).toBe(0);
    },
  );
});

describe('strict TypeScript consumers (skipLibCheck false)', () => {
  const results = new Map<string, string>();

  afterAll(() => {
    const width = Math.max(...CONFIGS.map((c) => c.length));
    const lines = CONFIGS.map(
      (config) =>
        `  ${config.padEnd(width)}  ${COMPILERS.map((c) => `${c.name}: ${(results.get(cellName(c.name, config)) ?? 'not run').padEnd(4)}`).join('  ')}`,
    );
    const versions = COMPILERS.map((c) => `${c.name} = ${compilerVersions[c.name] ?? '?'}`).join(', ');
    console.log([`type-check matrix (${versions}):`, ...lines].join('\n'));
  });

  const cells = CONFIGS.flatMap((config) => COMPILERS.map((c) => [config, c.name] as const));
  it.for(cells)('%s × %s', { timeout: LONG }, async ([config, compiler]) => {
    const name = cellName(compiler, config);
    const result = await (checks.matrix.get(name) as Promise<Ran>);
    // --listFiles prints the program's files as absolute paths; the rest is diagnostics.
    const files = result.stdout.split('\n').filter((line) => line.startsWith('/'));
    const found = diagnostics(result.stdout).map(formatDiagnostic);
    const nodeTypes = files.filter((f) => f.includes('/node_modules/@types/node/'));
    const failed = result.code !== 0 || (config === 'browser' && nodeTypes.length > 0);
    results.set(name, failed ? 'FAIL' : 'pass');
    expect(found, `${name}: ${describeExit(result)}\n${result.stderr}`).toEqual([]);
    expect(result.code, output(result)).toBe(0);
    if (config === 'browser')
      expect(
        nodeTypes.length,
        `${name}: the browser program (types: []) still loads @types/node, ${nodeTypes.length} files; ` +
          'run tsc --explainFiles in the consumer to see which import brings it',
      ).toBe(0);
  });
});

describe('Node users of the installed package', () => {
  const echoed = async (ran: Promise<Ran>, module: string): Promise<void> => {
    const result = await ran;
    expect(result.code, `${describeExit(result)}\n${output(result)}`).toBe(0);
    const last = result.stdout.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(last), output(result)).toEqual({ module, echo: ECHO_TEXT, state: 'stopped' });
  };

  it(
    'import: createMinchActor sends on connect, handleFrame gets the echo, close(actor) ends the process',
    { timeout: LONG },
    () => echoed(checks.esm, 'esm'),
  );

  it('require (require of an ES module): the same', { timeout: LONG }, () => echoed(checks.cjs, 'cjs'));

  it('require of minch/react, minch/svelte, minch/otel and minch/testing', { timeout: LONG }, async () => {
    const result = await checks.entries;
    expect(result.code, output(result)).toBe(0);
    const entries = JSON.parse(result.stdout) as Record<string, string[]>;
    expect(entries['minch/react']).toContain('useMinch');
    expect(entries['minch/svelte']).toEqual(expect.arrayContaining(['useMinch', 'minchStore']));
    expect(entries['minch/otel']).toContain('instrumentMinch');
    expect(entries['minch/testing']).toEqual(['SimulatedClock', 'createTestServer']);
  });
});

describe('README code blocks, against the installed package', () => {
  /** Diagnostics of one compiler run, by block file; the rest under ''. */
  const byFile = async (ran: Promise<Ran>): Promise<Map<string, Diagnostic[]>> => {
    const found = new Map<string, Diagnostic[]>();
    for (const d of diagnostics((await ran).stdout)) {
      const key = d.file?.startsWith('readme/') === true ? d.file : '';
      found.set(key, [...(found.get(key) ?? []), d]);
    }
    return found;
  };

  it('finds the blocks: ts, tsx (React) and svelte', () => {
    expect(tsBlocks.length, 'README.md has no ```ts blocks').toBeGreaterThan(0);
    expect(tsxBlocks.length, 'README.md has no ```tsx block (the React snippet)').toBeGreaterThan(0);
    expect(svelteBlocks.length, 'README.md has no ```svelte block (the Svelte snippet)').toBeGreaterThan(0);
  });

  /** Each block with the compiler run that checks it: ts blocks under nodenext, tsx under react-jsx and bundler. */
  const checkedBlocks = [
    ...tsBlocks.map((b) => [blockTitle(b), 'nodenext', b, 'readmeTs'] as const),
    ...tsxBlocks.map((b) => [blockTitle(b), 'react-jsx, bundler', b, 'readmeTsx'] as const),
  ];
  it.for(checkedBlocks)('%s type-checks (%s, strict)', { timeout: LONG }, async ([, , b, run]) => {
    const found = (await byFile(checks[run])).get(blockPath(b)) ?? [];
    expect(found.map((d) => atMarkdown(b, d))).toEqual([]);
  });

  it('the package declarations raise nothing while the blocks are checked', { timeout: LONG }, async () => {
    for (const ran of [await checks.readmeTs, await checks.readmeTsx]) {
      // A crash or a timeout prints no diagnostics: only a clean exit proves the blocks were checked.
      expect(ran.code, ran.stderr || ran.stdout).toBe(0);
    }
    const outside = [
      ...((await byFile(checks.readmeTs)).get('') ?? []),
      ...((await byFile(checks.readmeTsx)).get('') ?? []),
    ];
    expect(outside.map(formatDiagnostic)).toEqual([]);
  });

  it.for(svelteBlocks.map((b) => [blockTitle(b), b] as const))(
    '%s compiles with Svelte 5 without warnings',
    ([, b]) => {
      const file = blockFileName(b, 'svelte');
      const at = (line: number | undefined): string => `${b.source}:${b.line + (line ?? 1) - 1} (${file})`;
      let warnings: string[];
      try {
        warnings = compile(b.code, { filename: file }).warnings.map(
          (w) => `${at(w.start?.line)}: ${w.code}: ${w.message}`,
        );
      } catch (error) {
        const { start, message } = error as { start?: { line: number }; message: string };
        throw new Error(`${at(start?.line)}: ${message}`, { cause: error });
      }
      expect(warnings).toEqual([]);
    },
  );

  it(
    'the "Testing your client" block runs with vitest, as written, against the installed package',
    { timeout: LONG },
    async () => {
      expect(testingBlock, 'README.md has no ```ts block under "## Testing your client"').toBeDefined();
      const ran = await checks.readmeVitest;
      const where = `${blockTitle(testingBlock as CodeBlock)}, run as ${TESTING_FILE} in the consumer`;
      expect(ran.code, `${where}: ${describeExit(ran)}\n${output(ran)}`).toBe(0);
      expect(ran.stdout, `${where}\n${output(ran)}`).toMatch(/Tests\s+1 passed \(1\)/);
    },
  );

  it(
    `the Quick start block runs as written and prints the echo (${JSON.stringify(QUICK_START_ECHO)})`,
    { timeout: LONG },
    async () => {
      expect(quickStart, 'README.md has no ```ts block under "## Quick start"').toBeDefined();
      const b = quickStart as CodeBlock;
      const compiled = ((await byFile(checks.readmeTs)).get(blockPath(b)) ?? []).map((d) => atMarkdown(b, d));
      const script = `readme-out/${blockFileName(b, 'js')}`;
      const ran = await timed(
        'node <Quick start>',
        run(process.execPath, [script], { cwd: consumer, timeoutMs: 15_000 }),
      );
      const where = `${blockTitle(b)}, run as ${script} in the consumer`;
      expect.soft(compiled, `${where}: type errors`).toEqual([]);
      expect.soft(ran.code, `${where}: ${describeExit(ran)}\n${output(ran)}`).toBe(0);
      expect(ran.stdout, `${where}: stdout does not show the echo\n${output(ran)}`).toContain(QUICK_START_ECHO);
    },
  );
});

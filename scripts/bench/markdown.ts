/**
 * The Markdown tables of a run: medians with the ratio to raw `ws`, the
 * spread over the repetitions, the goals, the CPU diagnostics, and the idle
 * case when it ran. Columns nobody measured (a narrowed run) are left out.
 */
import { checkGoals, metricInfo, on } from './report.js';
import type { EchoMetric, MetricKey, MetricSummary, Summary } from './report.js';
import { IDLE_WINDOW_MS, RESOLUTION_MS } from './idle.js';
import { SERVER_LABELS, type ServerId } from './servers.js';

export interface Context {
  labels: Record<string, string>;
  baseline: string;
  goalClient: string;
  header: string;
  servers: readonly ServerId[];
  /** Connections in the idle case. */
  idleConns: number;
}

type Columns = { title: string; keys: MetricKey[] }[];
type Cell = (m: MetricSummary | undefined, key: MetricKey, isBase: boolean) => string;

const num = (x: number, digits: number): string =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const x2 = (r: number): string => `${r.toFixed(2)}×`;
const value = (x: number, key: MetricKey): string => num(x, metricInfo(key).digits);
const withUnit = (x: number, key: MetricKey): string => {
  const { unit } = metricInfo(key);
  return unit === '%' ? `${value(x, key)}%` : `${value(x, key)} ${unit}`;
};

/** The median value, then (except for the baseline) the median ratio. */
const median: Cell = (m, key, isBase) => {
  if (m === undefined) return '–';
  return isBase ? withUnit(m.median, key) : `${withUnit(m.median, key)} (${x2(m.ratio.median)})`;
};

/** Min–max of the value for the baseline, of the ratio for the others. */
const range: Cell = (m, key, isBase) => {
  if (m === undefined) return '–';
  return isBase ? `${value(m.min, key)}–${value(m.max, key)}` : `${x2(m.ratio.min)}–${x2(m.ratio.max)}`;
};

/** The median with its ratio, then the value's own min–max. */
const medianAndRange: Cell = (m, key, isBase) =>
  m === undefined ? '–' : `${median(m, key, isBase)}, ${value(m.min, key)}–${value(m.max, key)}`;

/** The median value only: for CPU utilisation, where a ratio means nothing. */
const plain: Cell = (m, key) => (m === undefined ? '–' : withUnit(m.median, key));

const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
const percentOff = (miss: number): string => `${(miss * 100).toFixed(miss < 0.1 ? 1 : 0)}% off`;

/** One column per echo server for each title. */
const perServer = (servers: readonly ServerId[], titles: [string, EchoMetric[]][]): Columns =>
  titles.flatMap(([title, metrics]) =>
    servers.map((s) => ({ title: `${title} (${SERVER_LABELS[s]})`, keys: metrics.map((m) => on(m, s)) })),
  );

export function markdown(s: Summary, ctx: Context): string {
  const clients = Object.keys(s);
  const base = ctx.labels[ctx.baseline] ?? ctx.baseline;
  const measured = (cols: Columns): Columns =>
    cols.filter((col) => clients.some((c) => s[c]?.[col.keys[0] as MetricKey] !== undefined));
  const table = (cols: Columns, cell: Cell): string[] => {
    const shown = measured(cols);
    if (shown.length === 0) return [];
    const rows = clients
      .filter((c) => shown.some((col) => col.keys.some((k) => s[c]?.[k] !== undefined)))
      .map((c) => {
        const cells = shown.map((col) => col.keys.map((k) => cell(s[c]?.[k], k, c === ctx.baseline)).join(' / '));
        return row([ctx.labels[c] ?? c, ...cells]);
      });
    return [row(['client', ...shown.map((c) => c.title)]), row(['---', ...shown.map(() => '---')]), ...rows, ''];
  };

  const echo = perServer(ctx.servers, [
    ['64 B msgs/s', ['tput64']],
    ['16 KiB msgs/s', ['tput16k']],
    ['RTT p50 / p99', ['rttP50', 'rttP99']],
  ]);
  const conn: Columns = [
    { title: 'heap/idle conn', keys: ['heap'] },
    { title: '1000 opens', keys: ['opens'] },
    { title: 'reopen', keys: ['reopen'] },
  ];
  const cpu = perServer(ctx.servers, [
    ['CPU per 64 B msg', ['cpu64']],
    ['CPU per 16 KiB msg', ['cpu16k']],
  ]);
  const util = perServer(ctx.servers, [
    ['client / server CPU at 64 B', ['util64', 'srv64']],
    ['client / server CPU at 16 KiB', ['util16k', 'srv16k']],
  ]);
  const idle: Columns = [
    { title: 'heap/idle conn', keys: ['idleHeap'] },
    { title: `${ctx.idleConns.toLocaleString('en-US')} opens`, keys: ['idleOpens'] },
    { title: 'event-loop delay p99 / max', keys: ['idleP99', 'idleMax'] },
  ];
  const goals = checkGoals(s, ctx.goalClient);
  const mainTables = [...table(echo, median), ...table(conn, median)];
  const idleTable = table(idle, median);

  const when = (shown: boolean, lines: string[]): string[] => (shown ? lines : []);
  return [
    ctx.header,
    '',
    ...when(mainTables.length > 0, [
      `Medians over the repetitions; in brackets, the median of the per-repetition ratio to ${base} against the ` +
        'same echo server (higher is better for msgs/s, lower for everything else). The connection cases (heap, ' +
        'opens, reopen) run against the ws server.',
      '',
      ...mainTables,
      `Spread over the repetitions: min–max of the value for ${base}, min–max of the ratio for the others.`,
      '',
      ...table(echo, range),
      ...table(conn, range),
    ]),
    ...when(goals.length > 0, [
      `Goals for ${ctx.labels[ctx.goalClient]} (judged on the median; min–max in brackets):`,
      '',
      row(['goal', 'measured', 'met']),
      row(['---', '---', '---']),
      ...goals.map((g) => row([g.goal, g.measured, g.met ? 'met' : `**not met** (${percentOff(g.miss)})`])),
      '',
    ]),
    ...when(measured(cpu).length > 0, [
      "Diagnostic, not a goal: the client process's CPU time per echoed message in the throughput cases " +
        "(`process.cpuUsage`), the client's own cost whichever side sets the pace: median (ratio), min–max.",
      '',
      ...table(cpu, medianAndRange),
      'Which side sets the pace: CPU time of the client process / of the echo server process over the wall ' +
        "time of that client's throughput slices (medians). Near 100% is one core saturated.",
      '',
      ...table(util, plain),
    ]),
    ...when(idleTable.length > 0, [
      `${ctx.idleConns.toLocaleString('en-US')} idle connections with the default heartbeat (raw ws: a ` +
        'hand-written ping every 20 s), ws server, one run after the repetitions. Heap after full GCs; ' +
        `event-loop delay: how late \`monitorEventLoopDelay\`'s ${RESOLUTION_MS} ms timer ran, over the ` +
        `${IDLE_WINDOW_MS / 1000} s after the last open, which hold every connection's first heartbeat.`,
      '',
      ...idleTable,
    ]),
  ].join('\n');
}

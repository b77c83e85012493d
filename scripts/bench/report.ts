/**
 * Turns the per-repetition figures into the summary (medians, min–max, ratios
 * to raw `ws` from the same repetition and the same echo server) and checks
 * the goals. The Markdown tables are in markdown.ts.
 */
import { SERVER_LABELS, type ServerId } from './servers.js';
import { spread, type Spread } from './stats.js';

export interface MetricInfo {
  label: string;
  unit: string;
  higherIsBetter: boolean;
  digits: number;
}

/** Figures measured against each echo server: their keys are `tput64.ws`, `tput64.fast`, … */
const ECHO = {
  tput64: { label: '64 B msgs/s', unit: 'msgs/s', higherIsBetter: true, digits: 0 },
  tput16k: { label: '16 KiB msgs/s', unit: 'msgs/s', higherIsBetter: true, digits: 0 },
  rttP50: { label: 'RTT p50', unit: 'µs', higherIsBetter: false, digits: 1 },
  rttP99: { label: 'RTT p99', unit: 'µs', higherIsBetter: false, digits: 1 },
  cpu64: { label: 'client CPU per 64 B msg', unit: 'µs', higherIsBetter: false, digits: 2 },
  cpu16k: { label: 'client CPU per 16 KiB msg', unit: 'µs', higherIsBetter: false, digits: 2 },
  util64: { label: 'client CPU at 64 B', unit: '%', higherIsBetter: false, digits: 0 },
  util16k: { label: 'client CPU at 16 KiB', unit: '%', higherIsBetter: false, digits: 0 },
  srv64: { label: 'server CPU at 64 B', unit: '%', higherIsBetter: false, digits: 0 },
  srv16k: { label: 'server CPU at 16 KiB', unit: '%', higherIsBetter: false, digits: 0 },
} satisfies Record<string, MetricInfo>;

/** Figures measured against the ws server only. */
const SINGLE = {
  heap: { label: 'heap/idle conn', unit: 'KiB', higherIsBetter: false, digits: 2 },
  opens: { label: '1000 opens', unit: 'ms', higherIsBetter: false, digits: 0 },
  reopen: { label: 'reopen', unit: 'ms', higherIsBetter: false, digits: 3 },
  idleHeap: { label: 'heap/idle conn, heartbeat on', unit: 'KiB', higherIsBetter: false, digits: 2 },
  idleOpens: { label: 'opens', unit: 'ms', higherIsBetter: false, digits: 0 },
  idleP99: { label: 'event-loop delay p99', unit: 'ms', higherIsBetter: false, digits: 2 },
  idleMax: { label: 'event-loop delay max', unit: 'ms', higherIsBetter: false, digits: 2 },
} satisfies Record<string, MetricInfo>;

export type EchoMetric = keyof typeof ECHO;
export type MetricKey = `${EchoMetric}.${ServerId}` | keyof typeof SINGLE;

/** The key of an echo figure measured against `server`. */
export const on = (metric: EchoMetric, server: ServerId): MetricKey => `${metric}.${server}`;

export function metricInfo(key: MetricKey): MetricInfo {
  if (key in SINGLE) return SINGLE[key as keyof typeof SINGLE];
  const [metric, server] = key.split('.') as [EchoMetric, ServerId];
  return { ...ECHO[metric], label: `${ECHO[metric].label} (${SERVER_LABELS[server]})` };
}

interface Goal {
  metric: MetricKey;
  kind: 'ratio' | 'absolute';
  op: '>=' | '<=';
  target: number;
  text: string;
}

const throughputGoals = (server: ServerId, target: number): Goal[] =>
  (['tput16k', 'tput64'] as const).map((m) => ({
    metric: on(m, server),
    kind: 'ratio',
    op: '>=',
    target,
    text: `${m === 'tput16k' ? '16 KiB' : '64 B'} throughput ≥ ${target}× ws (${SERVER_LABELS[server]})`,
  }));

const rttGoals = (server: ServerId): Goal[] =>
  [
    { metric: on('rttP50', server), target: 1.03, text: `RTT p50 ≤ 1.03× ws (${SERVER_LABELS[server]})` },
    { metric: on('rttP99', server), target: 1.15, text: `RTT p99 ≤ 1.15× ws (${SERVER_LABELS[server]})` },
  ].map((g) => ({ ...g, kind: 'ratio', op: '<=' }));

/**
 * The engine issue's goals for the Minch actor: a ratio to raw ws from the
 * same repetition and server, or an absolute value for heap. The heap goal is
 * judged on the 1,000-connection case, and again on the idle case when it ran.
 */
export const GOALS: Goal[] = [
  { metric: 'heap', kind: 'absolute', op: '<=', target: 9.5, text: 'heap per idle open connection ≤ 9.5 KiB' },
  {
    metric: 'idleHeap',
    kind: 'absolute',
    op: '<=',
    target: 9.5,
    text: 'heap per idle open connection ≤ 9.5 KiB (idle case, default heartbeat)',
  },
  { metric: 'opens', kind: 'ratio', op: '<=', target: 1.35, text: '1,000 concurrent opens ≤ 1.35× ws (time)' },
  { metric: 'reopen', kind: 'ratio', op: '<=', target: 1.2, text: 'reopen after a drop ≤ 1.2× ws' },
  ...throughputGoals('fast', 0.97),
  ...throughputGoals('ws', 0.99),
  ...rttGoals('fast'),
  ...rttGoals('ws'),
];

/** raw[client][metric] = one value per repetition (one value in all for the idle case). */
export type Raw = Record<string, Partial<Record<MetricKey, number[]>>>;

export interface MetricSummary extends Spread {
  unit: string;
  /** This client's value divided by ws's value of the same repetition (and server). */
  ratio: Spread;
}

export type Summary = Record<string, Partial<Record<MetricKey, MetricSummary>>>;

export function summarise(raw: Raw, baseline: string): Summary {
  const out: Summary = {};
  for (const [client, metrics] of Object.entries(raw)) {
    const summary: Partial<Record<MetricKey, MetricSummary>> = {};
    for (const [key, values] of Object.entries(metrics) as [MetricKey, number[]][]) {
      const base = raw[baseline]?.[key] ?? [];
      const ratios = values.map((v, i) => v / (base[i] as number));
      summary[key] = { unit: metricInfo(key).unit, ...spread(values), ratio: spread(ratios) };
    }
    out[client] = summary;
  }
  return out;
}

export interface GoalResult {
  goal: string;
  measured: string;
  met: boolean;
  /** How far the median is past the target, as a fraction of the target (0 when met). */
  miss: number;
}

/** The goals whose figure was measured in this run (a narrowed run judges only what it ran). */
export function checkGoals(s: Summary, client: string): GoalResult[] {
  return GOALS.flatMap((g) => {
    const m = s[client]?.[g.metric];
    if (m === undefined) return [];
    const v = g.kind === 'ratio' ? m.ratio : m;
    const fmt = (x: number): string => (g.kind === 'ratio' ? `${x.toFixed(2)}×` : `${x.toFixed(2)} KiB`);
    const met = g.op === '>=' ? v.median >= g.target : v.median <= g.target;
    const miss = met ? 0 : Math.abs(v.median - g.target) / g.target;
    const range = v.values.length > 1 ? ` (${fmt(v.min)}–${fmt(v.max)})` : '';
    return [{ goal: g.text, measured: `${fmt(v.median)}${range}`, met, miss }];
  });
}

/**
 * `minch/otel` against a real `ws` server on loopback: the metrics exactly as
 * recorded, read back through @opentelemetry/sdk-metrics' InMemoryMetricExporter.
 */
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { close, createMinchActor, sendFrame } from '../src/index.js';
import { instrumentMinch, MINCH_METRICS } from '../src/otel.js';
import { spyClient } from './helpers/spyClient.js';
import { startSpyServer, type SpyServer } from './helpers/spyServer.js';

let server: SpyServer;
let exporter: InMemoryMetricExporter;
let reader: PeriodicExportingMetricReader;
let provider: MeterProvider;
let uninstrument: () => void;

beforeEach(async () => {
  server = await startSpyServer();
  exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  provider = new MeterProvider({ readers: [reader] });
  uninstrument = instrumentMinch({ meterProvider: provider });
});
afterEach(async () => {
  uninstrument();
  await provider.shutdown();
  await server.close();
});

/** Every data point recorded so far, by metric name: `[attributes, value]`. */
async function collect(): Promise<Map<string, { unit: string; points: DataPoint<unknown>[] }>> {
  await reader.forceFlush();
  const out = new Map<string, { unit: string; points: DataPoint<unknown>[] }>();
  for (const resource of exporter.getMetrics()) {
    for (const scope of resource.scopeMetrics) {
      for (const metric of scope.metrics) {
        out.set(metric.descriptor.name, { unit: metric.descriptor.unit, points: metric.dataPoints });
      }
    }
  }
  return out;
}

/** `[attributes, value]` pairs, in a stable order (the SDK keeps them in the order first seen). */
const values = (points: DataPoint<unknown>[]) =>
  points.map((p) => [p.attributes, p.value]).sort((a, b) => JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0])));
const counts = (points: DataPoint<unknown>[]) => points.map((p) => [p.attributes, (p.value as Histogram).count]);

describe('instrumentMinch', () => {
  it('counts connections opened before it started, and records once when called twice for a provider', async () => {
    const spy = spyClient(server.url);
    const actor = createMinchActor(spy.client, null, { heartbeat: false });
    uninstrument();
    actor.start();
    await spy.on('handleConnect');
    uninstrument = instrumentMinch({ meterProvider: provider });
    const second = instrumentMinch({ meterProvider: provider });
    expect(values((await collect()).get(MINCH_METRICS.connections)?.points ?? [])).toEqual([[{}, 1]]);
    (await server.socket(1)).terminate();
    await spy.on('handleConnect', { nth: 2 });
    second();
    await close(actor);
    const m = await collect();
    expect(values(m.get(MINCH_METRICS.connections)?.points ?? [])).toEqual([[{}, 0]]);
    expect(counts(m.get(MINCH_METRICS.connectDuration)?.points ?? [])).toEqual([[{ outcome: 'ok' }, 1]]);
    expect(values(m.get(MINCH_METRICS.disconnects)?.points ?? [])).toEqual([[{ reason: 'closed', code: 1006 }, 1]]);
  });

  it('records an attempt abandoned by a stop as a connect duration with outcome stopped', async () => {
    const silent = await startSpyServer({ silent: true });
    try {
      const spy = spyClient(silent.url);
      const actor = createMinchActor(spy.client, null, { heartbeat: false });
      actor.start();
      await spy.on('connect');
      await silent.recorder.waitFor((e) => e.type === 'upgrade', { label: 'the upgrade request, never answered' });
      await close(actor);
      const m = await collect();
      expect(counts(m.get(MINCH_METRICS.connectDuration)?.points ?? [])).toEqual([[{ outcome: 'stopped' }, 1]]);
      expect(m.has(MINCH_METRICS.disconnects)).toBe(false);
    } finally {
      await silent.close();
    }
  });

  it('records connections, connect durations, drops, reconnect delays, frames and bytes', async () => {
    const spy = spyClient(server.url, {
      connect: () => ({ url: `${server.url}?token=canarytoken`, headers: { authorization: 'Bearer canaryheader' } }),
      handleDisconnect: (_r, _a, state) => ({ type: 'reconnect', backoff: 0, state }),
    });
    const actor = createMinchActor(spy.client, null, { heartbeat: false });
    actor.start();
    await spy.on('handleConnect');
    sendFrame(actor, { type: 'text', data: 'héllo' });
    await spy.on('handleFrame');
    expect(values((await collect()).get(MINCH_METRICS.connections)?.points ?? [])).toEqual([[{}, 1]]);
    (await server.socket(1)).terminate();
    await spy.on('handleConnect', { nth: 2 });
    await close(actor);

    const m = await collect();
    expect(values(m.get(MINCH_METRICS.connections)?.points ?? [])).toEqual([[{}, 0]]);
    const durations = m.get(MINCH_METRICS.connectDuration)?.points ?? [];
    expect(counts(durations)).toEqual([[{ outcome: 'ok' }, 2]]);
    // Seconds, in buckets sized for seconds: two loopback handshakes take well under one.
    const histogram = durations[0]?.value as Histogram;
    expect(histogram.sum).toBeGreaterThan(0);
    expect(histogram.sum).toBeLessThan(1);
    expect(histogram.buckets.boundaries.slice(0, 3)).toEqual([0.001, 0.0025, 0.005]);
    expect(values(m.get(MINCH_METRICS.disconnects)?.points ?? [])).toEqual([[{ reason: 'closed', code: 1006 }, 1]]);
    const delays = m.get(MINCH_METRICS.reconnectDelay)?.points ?? [];
    expect(delays.map((p) => [(p.value as Histogram).count, (p.value as Histogram).sum])).toEqual([[1, 0]]);
    expect(values(m.get(MINCH_METRICS.frames)?.points ?? [])).toEqual([
      [{ direction: 'received', type: 'text' }, 1],
      [{ direction: 'sent', type: 'close' }, 1],
      [{ direction: 'sent', type: 'text' }, 1],
    ]);
    expect(values(m.get(MINCH_METRICS.bytes)?.points ?? [])).toEqual([
      [{ direction: 'received', type: 'text' }, 6],
      [{ direction: 'sent', type: 'close' }, 2],
      [{ direction: 'sent', type: 'text' }, 6],
    ]);
    expect(m.has(MINCH_METRICS.heartbeatRtt)).toBe(false);
    expect([...m.values()].map((x) => x.unit)).toEqual(
      expect.arrayContaining(['{connection}', 's', '{disconnect}', '{frame}', 'By']),
    );
    expect(JSON.stringify([...m.entries()])).not.toMatch(/canary|127\.0\.0\.1/);
  });

  it('records a refused attempt as a connect duration with its outcome, and stops recording once undone', async () => {
    const refusing = await startSpyServer({ rejectWith: () => 503 });
    try {
      const spy = spyClient(refusing.url, {
        handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'normal', state }),
      });
      createMinchActor(spy.client, null, { heartbeat: false }).start();
      await spy.on('terminate');
      const m = await collect();
      expect(counts(m.get(MINCH_METRICS.connectDuration)?.points ?? [])).toEqual([[{ outcome: 'upgrade_failed' }, 1]]);
      expect(values(m.get(MINCH_METRICS.disconnects)?.points ?? [])).toEqual([
        [{ reason: 'upgrade_failed', code: 503 }, 1],
      ]);

      uninstrument();
      const again = spyClient(refusing.url, {
        handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'normal', state }),
      });
      createMinchActor(again.client, null, { heartbeat: false }).start();
      await again.on('terminate');
      expect(values((await collect()).get(MINCH_METRICS.disconnects)?.points ?? [])).toEqual([
        [{ reason: 'upgrade_failed', code: 503 }, 1],
      ]);
    } finally {
      await refusing.close();
    }
  });
});

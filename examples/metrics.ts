/**
 * A service's dashboard numbers: three clients against the embedded echo
 * server, one drop forced by the server, then what `minch/otel` recorded,
 * read from OpenTelemetry's in-memory exporter. In a service, give
 * `instrumentMinch` nothing and it records through the global MeterProvider.
 * Run: `npx tsx examples/metrics.ts [ws://url]`.
 */
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { backoff, close, createMinchActor, type MinchClient } from '../src/index.js';
import { instrumentMinch } from '../src/otel.js';
import { urlOrEmbedded } from './echoServer.js';

interface State {
  url: string;
  /** Called at each open, so the example knows when every client is back. */
  opened: () => void;
}

const feed: MinchClient<State, State> = {
  connect: (state) => state.url,
  handleConnect: (_response, state) => {
    state.opened();
    return { type: 'reply', frames: { type: 'text', data: 'subscribe' }, state };
  },
  handleFrame: (_frame, state) => ({ type: 'ok', state }),
  handleDisconnect: (_reason, attempt, state) => ({ type: 'reconnect', backoff: backoff(attempt), state }),
};

/** A histogram's (or any other data point's) count and sum. */
function describeHistogram(value: Pick<Histogram, 'count' | 'sum'>): string {
  return `count ${value.count}, sum ${value.sum?.toFixed(3)}`;
}

/** One line per data point: name{attributes} value, or count/sum for a histogram. */
function print(exporter: InMemoryMetricExporter): void {
  for (const { scopeMetrics } of exporter.getMetrics()) {
    for (const { metrics } of scopeMetrics) {
      for (const { descriptor, dataPoints } of metrics) {
        for (const { attributes, value } of dataPoints) {
          const labels = Object.entries(attributes).map(([k, v]) => `${k}=${String(v)}`);
          const shown = typeof value === 'number' ? `${value}` : describeHistogram(value);
          console.log(`metrics: ${descriptor.name}{${labels.join(',')}} ${shown} ${descriptor.unit}`);
        }
      }
    }
  }
}

export async function main(arg?: string): Promise<void> {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const uninstrument = instrumentMinch({ meterProvider: provider });
  const { url, server } = await urlOrEmbedded(arg);

  let opens = 0;
  let reachedOpens: () => void = () => {};
  const openCount = (n: number): Promise<void> =>
    new Promise((resolve) => (reachedOpens = () => opens >= n && resolve()));
  const opened = (): void => {
    opens++;
    reachedOpens();
  };
  const clients = Array.from({ length: 3 }, () => createMinchActor(feed, { url, opened }, { heartbeat: false }));
  const allOpen = openCount(3);
  for (const client of clients) client.start();
  await allOpen;
  if (server !== null) {
    const reopened = openCount(6);
    server.dropAll();
    await reopened;
  }
  await Promise.all(clients.map((client) => close(client)));

  await reader.forceFlush();
  print(exporter);
  uninstrument();
  await provider.shutdown();
  await server?.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv[2]);

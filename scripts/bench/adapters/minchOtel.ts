/**
 * The Minch actor with `minch/otel` recording every event and frame into an
 * OpenTelemetry MeterProvider (an in-memory exporter, read never, so the cost
 * is the recording itself). Instrumentation is process-wide: it starts with
 * this adapter's first open and covers every Minch client after that, so this
 * client is run only on its own (`--clients minch-otel`); run.ts refuses to
 * mix it with the other Minch clients.
 */
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { instrumentMinch } from './minchLib.js';
import { minchActorAdapter } from './minchActor.js';
import type { Adapter } from './types.js';

let instrumented = false;
function instrument(): void {
  if (instrumented) return;
  instrumented = true;
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  instrumentMinch({ meterProvider: new MeterProvider({ readers: [reader] }) });
}

export const minchOtelAdapter: Adapter = {
  id: 'minch-otel',
  label: 'Minch actor + minch/otel',
  open: (url) => {
    instrument();
    return minchActorAdapter.open(url);
  },
  reopen: (url, opens) => {
    instrument();
    return minchActorAdapter.reopen(url, opens);
  },
};

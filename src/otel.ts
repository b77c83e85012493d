/**
 * `minch/otel`: OpenTelemetry metrics for Node services, recorded from the
 * diagnostics_channel events every Minch client publishes (src/diagnostics.ts).
 *
 * Needs `@opentelemetry/api` (1.9 or later), an optional peer dependency of
 * `minch` that only this entry point imports. Node only.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  metrics,
  type Attributes,
  type Histogram,
  type MeterProvider,
  type ObservableCallback,
} from '@opentelemetry/api';
import {
  MINCH_CHANNELS,
  type DisconnectMessage,
  type FrameMessage,
  type HeartbeatMessage,
  type OpenMessage,
  type ReconnectMessage,
  type StopMessage,
} from './diagnostics.js';
import { openConnections } from './runtime/telemetry.js';

/** Options of `instrumentMinch`. */
export interface InstrumentMinchOptions {
  /**
   * Where the metrics go.
   * @default the global MeterProvider (`metrics.getMeterProvider()` of `@opentelemetry/api`)
   */
  meterProvider?: MeterProvider;
}

/** The metric names `instrumentMinch` records. */
export const MINCH_METRICS = {
  /** UpDownCounter (asynchronous): connections open now, in this process. */
  connections: 'minch.client.connections',
  /**
   * Histogram (s): from `connect(state)` to open, or to a failed or abandoned attempt; attribute
   * `outcome` (`ok`, the reason type, or `stopped`).
   */
  connectDuration: 'minch.client.connect.duration',
  /** Counter: attempts and connections that ended; attributes `reason` and `code` (close code or HTTP status). */
  disconnects: 'minch.client.disconnects',
  /** Histogram (s): the delays `handleDisconnect` chose. */
  reconnectDelay: 'minch.client.reconnect.delay',
  /** Histogram (s): heartbeat round trips. */
  heartbeatRtt: 'minch.client.heartbeat.rtt',
  /** Counter (asynchronous): frames; attributes `direction` (`sent`, `received`) and `type`. */
  frames: 'minch.client.frames',
  /** Counter (asynchronous, By): payload bytes; attributes `direction` and `type`. */
  bytes: 'minch.client.bytes',
} as const;

const seconds = (ms: number): number => ms / 1000;

const FRAME_TYPES = ['text', 'binary', 'ping', 'pong', 'close'] as const;
const FRAME_INDEX = Object.fromEntries(FRAME_TYPES.map((type, i) => [type, i])) as Record<FrameMessage['type'], number>;

/**
 * Frames and bytes, counted in place: a frame costs two additions, and
 * OpenTelemetry reads the totals when it collects (asynchronous counters),
 * instead of hashing attributes on every frame.
 */
class FrameTotals {
  readonly frames = new Float64Array(10);
  readonly bytes = new Float64Array(10);
  static readonly ATTRIBUTES: Attributes[] = ['sent', 'received'].flatMap((direction) =>
    FRAME_TYPES.map((type) => ({ direction, type })),
  );

  count(received: boolean, message: unknown): void {
    const f = message as FrameMessage;
    const i = (received ? 5 : 0) + FRAME_INDEX[f.type];
    this.frames[i] = (this.frames[i] as number) + 1;
    this.bytes[i] = (this.bytes[i] as number) + f.bytes;
  }

  observe(totals: Float64Array, result: { observe(value: number, attributes: Attributes): void }): void {
    totals.forEach((value, i) => value > 0 && result.observe(value, FrameTotals.ATTRIBUTES[i] as Attributes));
  }
}

/**
 * Records `minch.client.*` metrics for every Minch client in this process,
 * from now until the returned function is called. Metric names and units
 * follow OpenTelemetry's conventions: durations in seconds, sizes in bytes.
 * No attribute carries a URL, a header or a payload. The connection count is
 * the process's own (kept whether or not anything listens), so instrumenting
 * late still counts the connections already open. A second call for the same
 * MeterProvider records nothing twice: every call gets its own undo, and the
 * metrics stop with the last one.
 *
 * @example
 * import { instrumentMinch } from 'minch/otel';
 * const stop = instrumentMinch(); // the global MeterProvider
 * // ... on shutdown:
 * stop();
 */
export function instrumentMinch(options: InstrumentMinchOptions = {}): () => void {
  const provider = options.meterProvider ?? metrics.getMeterProvider();
  const existing = active.get(provider);
  const instrumentation = existing ?? { users: 0, stop: instrument(provider) };
  active.set(provider, instrumentation);
  instrumentation.users++;
  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    if (--instrumentation.users > 0) return;
    active.delete(provider);
    instrumentation.stop();
  };
}

/** The instrumentations running, by MeterProvider. */
const active = new WeakMap<MeterProvider, { users: number; stop: () => void }>();

/** Buckets for seconds (the SDK's default buckets are sized for milliseconds). */
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const DELAY_SECONDS = [0, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 120, 300];

function instrument(provider: MeterProvider): () => void {
  const meter = provider.getMeter('minch');
  const connections = meter.createObservableUpDownCounter(MINCH_METRICS.connections, {
    description: 'WebSocket connections open now',
    unit: '{connection}',
  });
  const histogram = (name: string, description: string, buckets: number[]): Histogram =>
    meter.createHistogram(name, { description, unit: 's', advice: { explicitBucketBoundaries: buckets } });
  const connectDuration = histogram(
    MINCH_METRICS.connectDuration,
    'Time from connect(state) to the end of the opening handshake, or to a failed attempt',
    SECONDS,
  );
  const disconnects = meter.createCounter(MINCH_METRICS.disconnects, {
    description: 'Connection attempts and connections that ended',
    unit: '{disconnect}',
  });
  const reconnectDelay = histogram(
    MINCH_METRICS.reconnectDelay,
    'Delay before the next connection attempt',
    DELAY_SECONDS,
  );
  const heartbeatRtt = histogram(
    MINCH_METRICS.heartbeatRtt,
    'Heartbeat round trip: a probe to the next frame',
    SECONDS,
  );
  const totals = new FrameTotals();
  const frames = meter.createObservableCounter(MINCH_METRICS.frames, {
    description: 'WebSocket frames',
    unit: '{frame}',
  });
  const bytes = meter.createObservableCounter(MINCH_METRICS.bytes, { description: 'Payload bytes', unit: 'By' });
  const observeOpen: ObservableCallback = (result) => result.observe(openConnections());
  const observeFrames: ObservableCallback = (result) => totals.observe(totals.frames, result);
  const observeBytes: ObservableCallback = (result) => totals.observe(totals.bytes, result);
  connections.addCallback(observeOpen);
  frames.addCallback(observeFrames);
  bytes.addCallback(observeBytes);
  const handlers: [string, (message: unknown) => void][] = [
    [
      MINCH_CHANNELS.open,
      (message) => connectDuration.record(seconds((message as OpenMessage).handshakeMs), { outcome: 'ok' }),
    ],
    [
      MINCH_CHANNELS.disconnect,
      (message) => {
        const d = message as DisconnectMessage;
        if (!d.opened) connectDuration.record(seconds(d.durationMs), { outcome: d.reason });
        disconnects.add(1, d.code === undefined ? { reason: d.reason } : { reason: d.reason, code: d.code });
      },
    ],
    [MINCH_CHANNELS.reconnect, (message) => reconnectDelay.record(seconds((message as ReconnectMessage).delayMs))],
    [
      MINCH_CHANNELS.heartbeat,
      (message) => {
        const rttMs = (message as HeartbeatMessage).rttMs;
        if (rttMs !== undefined) heartbeatRtt.record(seconds(rttMs));
      },
    ],
    [
      MINCH_CHANNELS.stop,
      (message) => {
        // A stop that abandons an attempt still connecting ends that attempt too.
        const connectingMs = (message as StopMessage).connectingMs;
        if (connectingMs !== undefined) connectDuration.record(seconds(connectingMs), { outcome: 'stopped' });
      },
    ],
    [MINCH_CHANNELS.frameSent, (message) => totals.count(false, message)],
    [MINCH_CHANNELS.frameReceived, (message) => totals.count(true, message)],
  ];
  for (const [name, handler] of handlers) subscribe(name, handler);
  return () => {
    for (const [name, handler] of handlers) unsubscribe(name, handler);
    connections.removeCallback(observeOpen);
    frames.removeCallback(observeFrames);
    bytes.removeCallback(observeBytes);
  };
}

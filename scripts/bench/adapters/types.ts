/**
 * The one small interface every benchmarked client is driven through, so the
 * cases in `cases.ts` are the same code for all of them and only the client
 * library differs.
 */
import { DEFAULTS } from '../../../src/core/options.js';

/** A payload as the harness sends it: a string (text frame) or bytes (binary frame). */
export type Payload = string | Uint8Array;

/** An echoed message as the client hands it over: text as a string, binary as bytes. */
export type Received = string | Uint8Array | ArrayBuffer;

/** One open connection. */
export interface Handle {
  /** Sends one text (string) or binary (bytes) message, the way a user of that library would. */
  send(data: Payload): void;
  /** Replaces the message listener; the harness swaps it between cases. */
  onMessage(listener: (data: Received) => void): void;
  /** Closes the connection and resolves once the library says it is closed. */
  close(): Promise<void>;
}

export interface Adapter {
  /** Short id used in JSON and on the command line. */
  readonly id: string;
  /** Name shown in the table. */
  readonly label: string;
  /** Opens one connection and resolves when it is open. */
  open(url: string): Promise<Handle>;
  /**
   * The idle-connections case: opens one connection with the library's
   * default heartbeat on (raw ws: a hand-written equivalent). Clients without
   * it are left out of that case.
   */
  openWithHeartbeat?(url: string): Promise<Handle>;
  /**
   * The reopen case: connects to a URL whose server kills every socket right
   * after it opens, lets the library reconnect with zero backoff, and resolves
   * with the `performance.now()` of the first `opens` opens.
   */
  reopen(url: string, opens: number): Promise<number[]>;
}

/** Minch's default heartbeat interval (src/core/options.ts), which the idle case's raw ws copies. */
export const DEFAULT_HEARTBEAT_MS = DEFAULTS.heartbeat.intervalMs;

/** The byte or character length of a received message, to check the echo. */
export function sizeOf(data: Received): number {
  return typeof data === 'string' ? data.length : data.byteLength;
}

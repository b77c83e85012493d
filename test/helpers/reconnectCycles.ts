/**
 * The reconnect loop of the kit's long runs (test/testing.test.ts,
 * test/browser/testing.test.ts, the kit1k bench case): each cycle, the next
 * connection opens, the server drops it, the client backs off, and the clock
 * moves past the backoff. Any cycle where the client is not open, then in
 * backoff, throws, naming the cycle.
 */
interface Server {
  nextConnection(): Promise<{ drop(): void }>;
  flush(): Promise<void>;
}

export async function reconnectCycles(
  server: Server,
  clock: { increment(ms: number): void },
  stateNow: () => string,
  cycles: number,
  backoffMs: number,
): Promise<void> {
  for (let cycle = 0; cycle < cycles; cycle++) {
    const conn = await server.nextConnection();
    await server.flush();
    if (stateNow() !== 'open') throw new Error(`cycle ${cycle}: ${stateNow()}, not open`);
    conn.drop();
    await server.flush();
    if (stateNow() !== 'backoff') throw new Error(`cycle ${cycle}: ${stateNow()}, not backoff`);
    clock.increment(backoffMs);
  }
}

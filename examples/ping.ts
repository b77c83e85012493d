/**
 * The seed's "checking ping" example on the simple client: measures the
 * round-trip time of protocol pings to an echo server.
 * Run: `npx tsx examples/ping.ts [ws://url] [count]`.
 */
import { either as E } from 'fp-ts';
import { close, connect, receiveFrame, sendFrame } from '../src/index.js';
import { urlOrEmbedded } from './echoServer.js';

export async function main(arg?: string, count = 5): Promise<number[]> {
  const { url, server } = await urlOrEmbedded(arg);
  const result = await connect(url, { timeoutMs: 5000 });
  if (E.isLeft(result)) {
    console.error(`ping: could not connect: ${result.left.type}`);
    await server?.close();
    process.exitCode = 1;
    return [];
  }
  const conn = result.right;
  const rtts: number[] = [];
  for (let i = 0; i < count; i++) {
    const payload = new TextEncoder().encode(`ping ${i}`);
    const started = process.hrtime.bigint();
    const sent = sendFrame(conn, { type: 'ping', data: payload });
    if (E.isLeft(sent)) throw new Error(`ping: send failed: ${sent.left.type}`);
    const frame = await receiveFrame(conn, 5000);
    if (frame === 'timeout' || frame.type !== 'pong')
      throw new Error(`ping: expected a pong, got ${frame === 'timeout' ? frame : frame.type}`);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    rtts.push(ms);
    console.log(`ping: round trip ${i + 1}/${count}: ${ms.toFixed(3)} ms`);
  }
  const median = [...rtts].sort((a, b) => a - b)[Math.floor(rtts.length / 2)] ?? NaN;
  console.log(`ping: round-trip time median ${median.toFixed(3)} ms to ${url}`);
  await close(conn);
  await server?.close();
  return rtts;
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv[2], Number(process.argv[3] ?? 5));

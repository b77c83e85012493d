/**
 * One fake connection: the WebSocket protocol between a fake client socket
 * and the test server, as RFC 6455 and `ws` run it, with no network and no
 * timer. Each direction is a pipe that delivers in order, in microtasks; the
 * client's pipe stops while the client is paused, as a paused socket reads
 * nothing. The link holds the state both ends share (who sent and who received
 * a close frame), so either end's action has the effect `ws` would give it.
 */
import type { Frame } from '../types.js';
import { acceptKey, closePayload, lowerCase, networkMessage, payloadOf, refusal } from './handshake.js';
import { FrameLog } from './frameLog.js';
import { Pipe } from './pipe.js';
import { DISPATCH, type ClientEnd, type CloseInfo, type HandshakeAnswer, type TestRequest } from './types.js';

const ABNORMAL: CloseInfo = Object.freeze({ code: 1006, reason: '' });
const utf8 = new TextEncoder();
const decoder = new TextDecoder();

/** One connection: the protocol state both ends share, and a pipe each way. */
export class Link {
  readonly toClient = new Pipe();
  readonly toServer = new Pipe();
  /** The server's view: it answered the handshake, it has ended. */
  answered = false;
  ended = false;
  /** Close frames: sent by each end, and received by its peer. */
  private clientFrame: CloseInfo | null = null;
  private serverFrame: CloseInfo | null = null;
  private clientFrameArrived = false;
  private serverFrameArrived = false;
  /** What the server received, and waits for what comes next. */
  readonly log = new FrameLog();
  /**
   * Called with the client that owns the socket (a Minch runtime), when it
   * takes it. Typed by what flush reads of it: `socketOwner.ts`'s types would
   * bring `ws`'s, and with them Node's, into the published declarations.
   */
  onOwner: (owner: { readonly settled: boolean }) => void = () => {};
  private resolveEnded!: (info: CloseInfo) => void;
  readonly closed = new Promise<CloseInfo>((resolve) => (this.resolveEnded = resolve));

  constructor(
    readonly client: ClientEnd,
    readonly request: TestRequest,
    /** The server's habits: answer pings, answer a close frame (`TestServerOptions`). */
    private readonly server: { autoPong: boolean; answerClose: boolean },
  ) {}

  // ---- the server's side ----

  answer(answer: HandshakeAnswer): void {
    if (this.answered || this.ended) throw new Error('the handshake was already answered or abandoned by the client');
    if (answer.type === 'refuse') {
      const status = answer.status;
      if (!Number.isInteger(status) || status < 100 || status > 599 || status === 101) {
        throw new RangeError(`a refusal needs an HTTP status from 100 to 599 other than 101, got ${status}`);
      }
    }
    this.answered = true;
    if (answer.type === 'accept') return this.accept(answer.protocol, answer.headers);
    this.end(ABNORMAL);
    if (answer.type === 'fail') {
      const code = answer.code ?? 'ECONNREFUSED';
      const err = Object.assign(new Error(networkMessage(code, new URL(this.request.url))), { code });
      return this.toClient.push(() => this.client.readyState === 0 && this.abortNow(err));
    }
    const { status, body = '' } = answer;
    const headers = lowerCase({ 'content-length': String(utf8.encode(body).length), ...answer.headers });
    this.toClient.push(() => {
      if (this.client.readyState !== 0) return;
      if (this.client.listenerCount('unexpected-response') === 0) {
        return this.abortNow(new Error(`Unexpected server response: ${status}`));
      }
      this.client[DISPATCH]('unexpected-response', { url: this.request.url }, refusal(status, headers, body));
    });
  }

  private accept(protocol: string | undefined, extra: Record<string, string> | undefined): void {
    const offered = this.request.protocols;
    // A ws server chooses a subprotocol only from those offered, and sends none when none was.
    const chosen = offered.length === 0 ? '' : (protocol ?? offered[0] ?? '');
    const headers: Record<string, string> = {
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-accept': acceptKey(this.request.headers['sec-websocket-key'] ?? ''),
      ...lowerCase(extra ?? {}),
    };
    if (chosen !== '') headers['sec-websocket-protocol'] = chosen;
    // The checks `ws` makes of the server's choice.
    const problem =
      chosen === '' && offered.length > 0
        ? 'Server sent no subprotocol'
        : chosen !== '' && !offered.includes(chosen)
          ? offered.length === 0
            ? 'Server sent a subprotocol but none was requested'
            : 'Server sent an invalid subprotocol'
          : null;
    this.toClient.push(() => {
      if (this.client.readyState !== 0) return;
      if (problem !== null) {
        this.end(ABNORMAL);
        return this.abortNow(new Error(problem));
      }
      this.client.readyState = 1;
      this.client.protocol = chosen;
      this.client[DISPATCH]('upgrade', { statusCode: 101, headers });
      this.client[DISPATCH]('open');
    });
  }

  /** True while the server may send: answered with an accept, no close frame sent, not ended. */
  get open(): boolean {
    return this.answered && !this.ended && this.serverFrame === null;
  }

  serverSend(type: 'text' | 'binary' | 'ping' | 'pong', data: Uint8Array): void {
    this.toClient.push(() => {
      const c = this.client;
      if (c.readyState === 3) return;
      if ((type === 'text' || type === 'binary') && c.maxPayload > 0 && data.length > c.maxPayload) {
        // As ws: close with 1009, then report the error.
        this.clientClose(1009, '');
        const err = Object.assign(new RangeError('Max payload size exceeded'), {
          code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
        });
        return c[DISPATCH]('error', err);
      }
      if (type === 'text' || type === 'binary') return c[DISPATCH]('message', payloadOf(data), type === 'binary');
      // ws answers a ping while open (unless its autoPong is off), then tells its listeners.
      if (type === 'ping' && c.readyState === 1 && c.autoPong) this.clientSend('pong', data);
      c[DISPATCH](type, payloadOf(data));
    });
  }

  serverClose(code: number | undefined, reason: string | undefined): void {
    if (!this.open) return;
    this.serverFrame = closePayload(code, reason);
    this.toClient.push(() => this.closeFrameArrives('client'));
  }

  /**
   * The server ends the TCP connection with no closing handshake: 1006 on both
   * sides, unless a close frame had arrived; what was in flight is read first
   * (a paused client reads it, and the end, when it resumes). Before the
   * handshake is answered, the client sees a reset connection.
   */
  drop(): void {
    if (this.ended) return;
    if (!this.answered) return this.answer({ type: 'fail', code: 'ECONNRESET' });
    this.endAbruptly();
    this.toClient.push(() => this.clientClosed());
  }

  // ---- the client's side ----

  clientSend(type: 'text' | 'binary' | 'ping' | 'pong', data: Uint8Array): void {
    this.toServer.push(() => {
      if (this.ended || this.clientFrameArrived) return;
      this.record(type === 'text' ? { type, data: decoder.decode(data) } : { type, data });
      if (type === 'ping' && this.server.autoPong && this.open) this.serverSend('pong', data);
    });
  }

  clientClose(code: number | undefined, reason: string | undefined): void {
    const c = this.client;
    if (c.readyState === 3 || this.clientFrame !== null) return;
    if (c.readyState === 0) return this.abandon();
    this.clientFrame = closePayload(code, reason);
    c.readyState = 2;
    this.toServer.push(() => this.closeFrameArrives('server'));
  }

  clientTerminate(): void {
    const c = this.client;
    if (c.readyState === 3) return;
    if (c.readyState === 0) return this.abandon();
    c.readyState = 2;
    // Frames the client wrote before reach the server first, as on a TCP connection.
    this.toServer.push(() => this.endAbruptly());
    this.toClient.paused = false;
    this.toClient.push(() => this.clientClosed());
  }

  // ---- both ----

  /** A close frame reaches `at`; a peer that has not sent one answers with the same code, as ws does. */
  private closeFrameArrives(at: 'client' | 'server'): void {
    if (at === 'client') {
      if (this.client.readyState === 3) return;
      this.serverFrameArrived = true;
      if (this.clientFrame === null) this.clientClose(echo(this.serverFrame).code, echo(this.serverFrame).reason);
    } else {
      if (this.ended) return;
      this.clientFrameArrived = true;
      this.record({ type: 'close', ...(this.clientFrame as CloseInfo) });
      if (this.serverFrame === null && this.server.answerClose) {
        this.serverClose(echo(this.clientFrame).code, echo(this.clientFrame).reason);
      }
    }
    if (this.clientFrameArrived && this.serverFrameArrived) {
      this.end(this.clientFrame as CloseInfo);
      this.toClient.push(() => this.clientClosed());
    }
  }

  /** The client's `close` event: the server's close frame if it arrived, else 1006. */
  private clientClosed(): void {
    const c = this.client;
    if (c.readyState === 3) return;
    c.readyState = 3;
    const frame = this.serverFrameArrived ? (this.serverFrame as CloseInfo) : ABNORMAL;
    c[DISPATCH]('close', frame.code, payloadOf(utf8.encode(frame.reason)));
  }

  /** The client closes or terminates before the handshake ends: CLOSING at once, then `error` and `close` 1006. */
  private abandon(): void {
    this.client.readyState = 2;
    this.end(ABNORMAL);
    const err = new Error('WebSocket was closed before the connection was established');
    this.toClient.paused = false;
    this.toClient.push(() => this.abortNow(err));
  }

  /** The handshake failed: `error`, then `close` 1006, as ws reports it. */
  private abortNow(err: Error): void {
    this.client.readyState = 2;
    this.client[DISPATCH]('error', err);
    this.clientClosed();
  }

  private record(frame: Frame): void {
    this.log.push(frame);
  }

  /** The server's side ends without a closing handshake: with the client's close frame if it arrived, else 1006. */
  private endAbruptly(): void {
    this.end(this.clientFrameArrived ? (this.clientFrame as CloseInfo) : ABNORMAL);
  }

  private end(info: CloseInfo): void {
    if (this.ended) return;
    this.ended = true;
    this.resolveEnded(info);
    this.log.end();
  }
}

/** ws answers a close frame with its code and reason; a frame with no code (1005) with an empty one. */
function echo(frame: CloseInfo | null): { code: number | undefined; reason: string | undefined } {
  return frame === null || frame.code === 1005 ? { code: undefined, reason: undefined } : frame;
}

/**
 * An echo server built not to be the bottleneck. Against the `ws` server a
 * 16 KiB echo is paced by the server process, so every client looks like
 * 1.0× raw ws; this one does as little per message as RFC 6455 allows, so
 * the client's own cost shows.
 *
 * - A plain `node:http` server that answers the upgrade itself (101 with
 *   Sec-WebSocket-Accept, no extensions, no subprotocol) on 127.0.0.1, port 0.
 * - Client frames are parsed by hand (7/16/64-bit lengths, frames split
 *   across TCP reads), unmasked in place a 32-bit word at a time, and every
 *   reply is written in place at the front of the same buffer, so all the
 *   echoes of one TCP read leave in ONE `socket.write`, with no allocation.
 * - Text and binary frames are echoed one to one with the same opcode and FIN
 *   bit, so a fragmented message comes back as the same fragments, i.e. the
 *   same whole message. Ping → pong with the same payload; a pong is ignored;
 *   close → close with the same payload, then the TCP socket is ended.
 * - `/kill-after-open` destroys the socket right after the 101, as server.ts does.
 * - Talks to the orchestrator through `serverIo.ts`.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { announce } from './serverIo.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_PAYLOAD = 64 * 1024 * 1024;
const OP = { text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;
/** Payloads shorter than this are unmasked byte by byte: a typed-array view would cost more. */
const WORDWISE_FROM = 32;

const maskBytes = new Uint8Array(4);
const rotated = new Uint8Array(4);
const rotatedWord = new Uint32Array(rotated.buffer);

/** XORs payload bytes [start, end) of `buf` with the 4-byte mask at `maskAt`, in place. */
function unmask(buf: Buffer, maskAt: number, start: number, end: number): void {
  for (let j = 0; j < 4; j++) maskBytes[j] = buf[maskAt + j] as number;
  let i = start;
  if (end - start >= WORDWISE_FROM) {
    // Byte by byte up to a 4-byte-aligned address, then whole words with the mask rotated to match.
    const lead = (4 - ((buf.byteOffset + start) & 3)) & 3;
    for (; i < start + lead; i++) buf[i] = (buf[i] as number) ^ (maskBytes[(i - start) & 3] as number);
    for (let j = 0; j < 4; j++) rotated[j] = maskBytes[(lead + j) & 3] as number;
    const word = rotatedWord[0] as number;
    const words = new Uint32Array(buf.buffer, buf.byteOffset + i, (end - i) >> 2);
    for (let w = 0; w < words.length; w++) words[w] = (words[w] as number) ^ word;
    i += words.length * 4;
  }
  for (; i < end; i++) buf[i] = (buf[i] as number) ^ (maskBytes[(i - start) & 3] as number);
}

/** One connection's parser state: bytes of an incomplete frame wait in `pending` until `need` bytes are there. */
class Peer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private need = 2;
  private done = false;

  constructor(private readonly socket: Socket) {}

  feed(chunk: Buffer): void {
    if (this.done) return;
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < this.need) return;
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    const replyBytes = this.echo(buf);
    if (replyBytes > 0) this.socket.write(buf.subarray(0, replyBytes));
    if (this.done && !this.socket.destroyed) this.socket.end();
  }

  /** A protocol violation: no close handshake, the connection is dropped. */
  private fail(): number {
    this.done = true;
    this.socket.destroy();
    return 0;
  }

  /**
   * Handles every complete frame in `buf` and writes the replies in place at
   * its front. A reply is never longer than its request (no mask key), so the
   * write position never overtakes the read position. Returns the reply length.
   */
  private echo(buf: Buffer): number {
    let read = 0;
    let write = 0;
    for (;;) {
      const avail = buf.length - read;
      this.need = 2;
      if (avail < 2) break;
      const b0 = buf[read] as number;
      const b1 = buf[read + 1] as number;
      const opcode = b0 & 0x0f;
      const control = opcode >= OP.close;
      if ((b1 & 0x80) === 0 || (b0 & 0x70) !== 0) return this.fail(); // unmasked, or RSV bits without an extension
      if (opcode > OP.pong || (opcode > OP.binary && opcode < OP.close)) return this.fail();
      let length = b1 & 0x7f;
      const header = length === 126 ? 4 : length === 127 ? 10 : 2;
      this.need = header;
      if (avail < header) break;
      if (length === 126) {
        length = buf.readUInt16BE(read + 2);
      } else if (length === 127) {
        if (buf.readUInt32BE(read + 2) !== 0) return this.fail();
        length = buf.readUInt32BE(read + 6);
      }
      if (length > MAX_PAYLOAD || (control && (length > 125 || (b0 & 0x80) === 0))) return this.fail();
      const start = read + header + 4;
      this.need = header + 4 + length;
      if (avail < this.need) break;
      unmask(buf, read + header, start, start + length);
      read = start + length;
      if (opcode === OP.pong) continue;

      buf[write] = opcode === OP.ping ? 0x80 | OP.pong : b0;
      buf[write + 1] = header === 2 ? length : header === 4 ? 126 : 127;
      if (header === 4) buf.writeUInt16BE(length, write + 2);
      if (header === 10) {
        buf.writeUInt32BE(0, write + 2);
        buf.writeUInt32BE(length, write + 6);
      }
      buf.copyWithin(write + header, start, start + length);
      write += header + length;
      if (opcode === OP.close) {
        this.done = true;
        return write;
      }
    }
    if (read < buf.length) {
      // The replies at the front may still be queued for writing, so the rest is only referenced, never reused.
      this.pending = [buf.subarray(read)];
      this.pendingBytes = buf.length - read;
    }
    return write;
  }
}

const server = createServer((_req, res) => res.writeHead(426).end());

server.on('upgrade', (req, socket: Socket, head: Buffer) => {
  socket.on('error', () => {}); // a client vanishing mid-frame must not kill the server
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    return;
  }
  const hash = createHash('sha1').update(key + GUID);
  const accept = hash.digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  if (req.url?.startsWith('/kill-after-open')) {
    socket.destroy();
    return;
  }
  socket.setNoDelay(true); // as ws does: replies must not wait for Nagle
  const peer = new Peer(socket);
  if (head.length > 0) peer.feed(head);
  socket.on('data', (chunk: Buffer) => peer.feed(chunk));
  socket.on('end', () => socket.end()); // the client half-closed without a close frame
});

server.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port));

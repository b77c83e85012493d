/**
 * A raw-frame WebSocket server on loopback: it answers the opening handshake
 * by hand and then lets the test write any bytes, valid or not (the Autobahn
 * client cases are the model). It records the frames the client sends.
 */
import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Recorder } from './recorder.js';

export type RawEvent =
  | { type: 'request'; headers: string }
  | { type: 'connection'; id: number }
  | { type: 'frame'; id: number; opcode: number; fin: boolean; payload: Buffer }
  | { type: 'end'; id: number };

export interface RawServer {
  url: string;
  port: number;
  recorder: Recorder<RawEvent>;
  socket(n?: number): Promise<Socket>;
  close(): Promise<void>;
}

/** Encodes one server frame (unmasked). `rsv` sets reserved bits, `mask` masks it (illegal from a server). */
export function frame(
  opcode: number,
  payload: Buffer | string = Buffer.alloc(0),
  opts: { fin?: boolean; rsv?: number; mask?: boolean } = {},
): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const fin = opts.fin ?? true;
  const head: number[] = [(fin ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | opcode];
  const maskBit = opts.mask ? 0x80 : 0;
  if (body.length < 126) head.push(maskBit | body.length);
  else if (body.length < 65536) head.push(maskBit | 126, body.length >> 8, body.length & 0xff);
  else {
    head.push(maskBit | 127, 0, 0, 0, 0);
    const n = body.length;
    head.push((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  }
  if (!opts.mask) return Buffer.concat([Buffer.from(head), body]);
  const key = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(body.map((b, i) => b ^ (key[i % 4] as number)));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** A close frame payload: 2-byte code and a reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
}

function parseFrames(buf: Buffer, onFrame: (opcode: number, fin: boolean, payload: Buffer) => void): Buffer {
  let offset = 0;
  for (;;) {
    if (buf.length - offset < 2) break;
    const b0 = buf[offset] as number;
    const b1 = buf[offset + 1] as number;
    let len = b1 & 0x7f;
    let pos = offset + 2;
    if (len === 126) {
      if (buf.length < pos + 2) break;
      len = buf.readUInt16BE(pos);
      pos += 2;
    } else if (len === 127) {
      if (buf.length < pos + 8) break;
      len = Number(buf.readBigUInt64BE(pos));
      pos += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const maskLen = masked ? 4 : 0;
    if (buf.length < pos + maskLen + len) break;
    const key = buf.subarray(pos, pos + maskLen);
    const payload = Buffer.from(buf.subarray(pos + maskLen, pos + maskLen + len));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (key[i % 4] as number);
    onFrame(b0 & 0x0f, (b0 & 0x80) !== 0, payload);
    offset = pos + maskLen + len;
  }
  return buf.subarray(offset);
}

export async function startRawServer(opts: { handshake?: boolean } = {}): Promise<RawServer> {
  const recorder = new Recorder<RawEvent>();
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => {});
    let head: Buffer = Buffer.alloc(0);
    let upgraded = false;
    let id = 0;
    socket.on('data', (chunk) => {
      head = Buffer.concat([head, chunk]);
      if (!upgraded) {
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        const request = head.subarray(0, end).toString();
        recorder.push({ type: 'request', headers: request });
        if (opts.handshake === false) return;
        head = head.subarray(end + 4);
        const key = /sec-websocket-key:\s*(.+)/i.exec(request)?.[1]?.trim() ?? '';
        const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
        upgraded = true;
        id = sockets.push(socket);
        recorder.push({ type: 'connection', id });
      }
      head = parseFrames(head, (opcode, fin, payload) => recorder.push({ type: 'frame', id, opcode, fin, payload }));
    });
    socket.on('close', () => {
      if (id > 0) recorder.push({ type: 'end', id });
    });
  });
  const all = new Set<Socket>();
  server.on('connection', (s) => {
    all.add(s);
    s.on('close', () => all.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/`,
    port,
    recorder,
    async socket(n = 1) {
      await recorder.waitFor((e) => e.type === 'connection' && e.id === n, { label: `raw connection ${n}` });
      return sockets[n - 1] as Socket;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of all) s.destroy();
        server.close(() => resolve());
      }),
  };
}

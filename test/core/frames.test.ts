import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import {
  isSendableCloseCode,
  isValidReceivedCloseCode,
  MAX_CLOSE_REASON_BYTES,
  MAX_CONTROL_PAYLOAD,
  normalizeFrame,
  normalizeFrames,
  utf8Length,
  validateClose,
} from '../../src/core/frames.js';
import type { Frame, SendError } from '../../src/types.js';

const right = <A>(r: E.Either<SendError, A>): A => {
  if (E.isLeft(r)) throw new Error(`expected Right, got Left ${JSON.stringify(r.left)}`);
  return r.right;
};

const leftMessage = <A>(r: E.Either<SendError, A>): string => {
  if (E.isRight(r)) throw new Error(`expected Left, got Right ${JSON.stringify(r.right)}`);
  expect(r.left.type).toBe('invalid_frame');
  if (r.left.type !== 'invalid_frame') throw new Error('unreachable');
  expect(typeof r.left.message).toBe('string');
  expect(r.left.message.length).toBeGreaterThan(0);
  return r.left.message;
};

const bytes = (n: number, fill = 7): Uint8Array => new Uint8Array(n).fill(fill);

describe('limits', () => {
  it('control payloads are capped at 125 bytes and close reasons at 123 bytes', () => {
    expect(MAX_CONTROL_PAYLOAD).toBe(125);
    expect(MAX_CLOSE_REASON_BYTES).toBe(123);
  });
});

describe('utf8Length', () => {
  it.each([
    ['the empty string', '', 0],
    ['ASCII', 'hello', 5],
    ["'é' (2 bytes)", 'é', 2],
    ["'€' (3 bytes)", '€', 3],
    ["'😀' (4 bytes, a surrogate pair)", '😀', 4],
    ['mixed text', 'aé€😀', 10],
    ['123 ASCII characters', 'a'.repeat(123), 123],
    ['61 × é', 'é'.repeat(61), 122],
    ['a lone high surrogate (encoded as U+FFFD)', '\uD800', 3],
    ['a lone low surrogate (encoded as U+FFFD)', '\uDC00', 3],
    ['a high surrogate followed by a letter', '\uD800a', 4],
  ])('counts %s as %i bytes', (_name, s, expected) => {
    expect(utf8Length(s)).toBe(expected);
  });

  it.each(['', 'abc', 'é', '€', '😀', 'x😀yé€', '\uD800', '\uDC00', '\uD800\uD800', '\uDBFF\uDFFF'])(
    'agrees with TextEncoder for %j',
    (s) => {
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).byteLength);
    },
  );
});

describe('isSendableCloseCode', () => {
  it.each([1000, 3000, 3001, 4000, 4999])('a client may send %i', (code) => {
    expect(isSendableCloseCode(code)).toBe(true);
  });

  it.each([
    999,
    1001,
    1002,
    1003,
    1005,
    1006,
    1011,
    1015,
    2999,
    5000,
    1000.5,
    0,
    -1000,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ])('a client may not send %d', (code) => {
    expect(isSendableCloseCode(code)).toBe(false);
  });
});

describe('isValidReceivedCloseCode', () => {
  it.each([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999])(
    'a server may send %i',
    (code) => {
      expect(isValidReceivedCloseCode(code)).toBe(true);
    },
  );

  it.each([999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 1000.5, 0, Number.NaN])(
    'a server may not send %d',
    (code) => {
      expect(isValidReceivedCloseCode(code)).toBe(false);
    },
  );
});

describe('validateClose', () => {
  it.each([
    ['no code and no reason', undefined, undefined, {}],
    ['no code and an empty reason', undefined, '', {}],
    ['code 1000', 1000, undefined, { code: 1000 }],
    ['code 1000 with a reason', 1000, 'bye', { code: 1000, reason: 'bye' }],
    ['code 4999 with an empty reason', 4999, '', { code: 4999, reason: '' }],
    ['a 123-byte ASCII reason', 3000, 'a'.repeat(123), { code: 3000, reason: 'a'.repeat(123) }],
  ] as const)('accepts %s', (_name, code, reason, expected) => {
    expect(right(validateClose(code, reason))).toEqual(expected);
  });

  it.each([
    ['a reason without a code', undefined, 'bye', 'code'],
    ['code 1001', 1001, undefined, '3000'],
    ['code 999', 999, undefined, '3000'],
    ['code 5000', 5000, 'x', '3000'],
    ['a 124-byte reason', 1000, 'a'.repeat(124), '123'],
  ] as const)('refuses %s', (_name, code, reason, mentioned) => {
    expect(leftMessage(validateClose(code, reason))).toContain(mentioned);
  });
});

describe('normalizeFrame', () => {
  describe('accepts valid frames', () => {
    const data = bytes(10);
    it.each<[string, unknown, Frame]>([
      ["shorthand 'ping'", 'ping', { type: 'ping' }],
      ["shorthand 'pong'", 'pong', { type: 'pong' }],
      ["shorthand 'close'", 'close', { type: 'close' }],
      ['a text frame', { type: 'text', data: 'hello' }, { type: 'text', data: 'hello' }],
      ['an empty text frame', { type: 'text', data: '' }, { type: 'text', data: '' }],
      ['a binary frame', { type: 'binary', data }, { type: 'binary', data }],
      [
        'an empty binary frame',
        { type: 'binary', data: new Uint8Array(0) },
        { type: 'binary', data: new Uint8Array(0) },
      ],
      ['a ping without data', { type: 'ping' }, { type: 'ping' }],
      ['a pong without data', { type: 'pong' }, { type: 'pong' }],
      ['a ping with 125 bytes', { type: 'ping', data: bytes(125) }, { type: 'ping', data: bytes(125) }],
      ['a pong with 125 bytes', { type: 'pong', data: bytes(125) }, { type: 'pong', data: bytes(125) }],
      ['a ping with 0 bytes', { type: 'ping', data: new Uint8Array(0) }, { type: 'ping', data: new Uint8Array(0) }],
      ['a close without code', { type: 'close' }, { type: 'close' }],
      ['a close with code 1000', { type: 'close', code: 1000 }, { type: 'close', code: 1000 }],
      [
        'a close with code 3000 and reason',
        { type: 'close', code: 3000, reason: 'bye' },
        { type: 'close', code: 3000, reason: 'bye' },
      ],
      ['a close with code 4999', { type: 'close', code: 4999 }, { type: 'close', code: 4999 }],
      [
        'a close with a 123-byte ASCII reason',
        { type: 'close', code: 1000, reason: 'a'.repeat(123) },
        { type: 'close', code: 1000, reason: 'a'.repeat(123) },
      ],
      [
        'a close with a 122-byte reason of 61 × é',
        { type: 'close', code: 1000, reason: 'é'.repeat(61) },
        { type: 'close', code: 1000, reason: 'é'.repeat(61) },
      ],
      [
        'a close with a 123-byte reason of 30 × 😀 + 3 ASCII',
        { type: 'close', code: 1000, reason: '😀'.repeat(30) + 'abc' },
        { type: 'close', code: 1000, reason: '😀'.repeat(30) + 'abc' },
      ],
    ])('%s', (_name, input, expected) => {
      expect(right(normalizeFrame(input))).toEqual(expected);
    });

    it('accepts a Node Buffer as binary data (it is a Uint8Array)', () => {
      const buf = Buffer.from('abc');
      const frame = right(normalizeFrame({ type: 'binary', data: buf }));
      expect(frame.type).toBe('binary');
      expect(frame.type === 'binary' && Array.from(frame.data)).toEqual([97, 98, 99]);
    });
  });

  describe('encodes string ping/pong data as UTF-8', () => {
    it.each([
      ['ping', 'hi', [104, 105]],
      ['pong', 'hi', [104, 105]],
      ['ping', 'é', [0xc3, 0xa9]],
      ['ping', '', []],
    ] as const)('%s with string data %j carries bytes %j', (type, data, expected) => {
      const frame = right(normalizeFrame({ type, data }));
      expect(frame.type).toBe(type);
      const payload = (frame as { data?: unknown }).data;
      expect(payload).toBeInstanceOf(Uint8Array);
      expect(Array.from(payload as Uint8Array)).toEqual(expected);
    });

    it('accepts a 125-character ASCII string ping and refuses 126', () => {
      expect(E.isRight(normalizeFrame({ type: 'ping', data: 'a'.repeat(125) }))).toBe(true);
      expect(leftMessage(normalizeFrame({ type: 'ping', data: 'a'.repeat(126) }))).toContain('125');
    });

    it('measures string ping data in bytes, not characters (63 × é = 126 bytes)', () => {
      expect(leftMessage(normalizeFrame({ type: 'ping', data: 'é'.repeat(63) }))).toContain('125');
      expect(E.isRight(normalizeFrame({ type: 'ping', data: 'é'.repeat(62) + 'a' }))).toBe(true);
    });
  });

  describe('refuses invalid frames with an invalid_frame Left naming the rule', () => {
    it.each<[string, unknown, string]>([
      ['null', null, 'frame'],
      ['undefined', undefined, 'frame'],
      ['a number', 42, 'frame'],
      ['a boolean', true, 'frame'],
      ["an unknown shorthand 'text'", 'text', 'frame'],
      ['an unknown type', { type: 'bogus' }, 'unknown frame type'],
      ['an object without type', { data: 'x' }, 'unknown frame type'],
      ['text without data', { type: 'text' }, 'string'],
      ['text with binary data', { type: 'text', data: bytes(3) }, 'string'],
      ['text with a number', { type: 'text', data: 42 }, 'string'],
      ['binary with string data', { type: 'binary', data: 'abc' }, 'Uint8Array'],
      ['binary with an ArrayBuffer', { type: 'binary', data: new ArrayBuffer(3) }, 'Uint8Array'],
      ['binary with a number array', { type: 'binary', data: [1, 2, 3] }, 'Uint8Array'],
      ['binary without data', { type: 'binary' }, 'Uint8Array'],
      ['a ping with 126 bytes', { type: 'ping', data: bytes(126) }, '125'],
      ['a pong with 126 bytes', { type: 'pong', data: bytes(126) }, '125'],
      ['a ping with a number payload', { type: 'ping', data: 42 }, 'Uint8Array'],
      ['a pong with null data', { type: 'pong', data: null }, 'Uint8Array'],
      ['a close with code 999', { type: 'close', code: 999 }, '3000'],
      ['a close with code 1001', { type: 'close', code: 1001 }, '3000'],
      ['a close with code 1005', { type: 'close', code: 1005 }, '3000'],
      ['a close with code 1006', { type: 'close', code: 1006 }, '3000'],
      ['a close with code 1015', { type: 'close', code: 1015 }, '3000'],
      ['a close with code 2999', { type: 'close', code: 2999 }, '3000'],
      ['a close with code 5000', { type: 'close', code: 5000 }, '3000'],
      ['a close with code 1000.5', { type: 'close', code: 1000.5 }, '3000'],
      ['a close with a string code', { type: 'close', code: '1000' }, '3000'],
      ['a close with a 124-byte ASCII reason', { type: 'close', code: 1000, reason: 'a'.repeat(124) }, '123'],
      ['a close with a 124-byte reason of 62 × é', { type: 'close', code: 1000, reason: 'é'.repeat(62) }, '123'],
      ['a close with a 124-byte reason of 31 × 😀', { type: 'close', code: 1000, reason: '😀'.repeat(31) }, '123'],
      ['a close with a non-string reason', { type: 'close', code: 1000, reason: 42 }, 'string'],
      ['a close reason without a code', { type: 'close', reason: 'bye' }, 'code'],
    ])('%s', (_name, input, mentioned) => {
      expect(leftMessage(normalizeFrame(input))).toContain(mentioned);
    });

    it('does not echo long text payloads into the message', () => {
      const secret = 'tok3n-'.repeat(10);
      expect(leftMessage(normalizeFrame(secret))).not.toContain('tok3n');
    });
  });
});

describe('normalizeFrames', () => {
  it.each<[string, unknown, Frame[]]>([
    ['a single frame becomes a list of one', { type: 'text', data: 'a' }, [{ type: 'text', data: 'a' }]],
    ['a single shorthand becomes a list of one', 'ping', [{ type: 'ping' }]],
    ['an empty list stays empty', [], []],
    [
      'a list keeps order and expands shorthands',
      [{ type: 'text', data: 'a' }, 'pong', { type: 'text', data: 'b' }, 'close'],
      [{ type: 'text', data: 'a' }, { type: 'pong' }, { type: 'text', data: 'b' }, { type: 'close' }],
    ],
  ])('%s', (_name, input, expected) => {
    expect(right(normalizeFrames(input))).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    [
      'a list with one invalid frame',
      [
        { type: 'text', data: 'ok' },
        { type: 'binary', data: 'no' },
      ],
      'Uint8Array',
    ],
    ['a list holding null', ['ping', null], 'frame'],
    ['a single invalid frame', { type: 'ping', data: bytes(200) }, '125'],
    ['undefined', undefined, 'frame'],
  ])('refuses %s', (_name, input, mentioned) => {
    expect(leftMessage(normalizeFrames(input))).toContain(mentioned);
  });
});

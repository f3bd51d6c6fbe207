import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8Strict, firstInvalidUtf8Offset } from '../../src/fs/read.js';

describe('strict UTF-8', () => {
  it('finds the first bad byte exactly where a fatal decoder stops', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const offset = firstInvalidUtf8Offset(bytes);
        let valid = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          valid = false;
        }
        expect(offset === -1).toBe(valid);
        if (!valid) {
          // Everything before the offset is well-formed; the sequence starting there is not.
          expect(firstInvalidUtf8Offset(bytes.subarray(0, offset))).toBe(-1);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps a BOM and every valid character, and names the offset of a bad byte', () => {
    expect(decodeUtf8Strict(Buffer.from('\ufeffa = "é😀"\n'), 'f')).toBe('\ufeffa = "é😀"\n');
    expect(() => decodeUtf8Strict(Buffer.from('# caf\xe9\n', 'latin1'), '/x/config.toml')).toThrow(/\/x\/config\.toml is not valid UTF-8 \(byte 0xe9 at offset 5\)/);
    expect(firstInvalidUtf8Offset(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).toBe(1); // a surrogate
    expect(firstInvalidUtf8Offset(Buffer.from([0xc0, 0x80]))).toBe(0); // an overlong NUL
    expect(firstInvalidUtf8Offset(Buffer.from([0x61, 0xe2, 0x82]))).toBe(1); // cut short
  });
});

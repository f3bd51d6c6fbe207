/** A prompt hides the cursor: SIGTERM or SIGHUP while it is open shows it again before the process dies of the signal. */
import { describe, expect, it } from 'vitest';
import { restoreCursorOnSignals } from '../../src/ui/prompts.js';

describe('restoreCursorOnSignals', () => {
  it('on SIGTERM and SIGHUP writes the show-cursor sequence, then raises the same signal with its own handler gone', () => {
    for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
      const written: string[] = [];
      const raised: string[] = [];
      const before = process.listenerCount(signal);
      restoreCursorOnSignals((text) => written.push(text), (raisedSignal) => raised.push(`${raisedSignal}:${process.listenerCount(raisedSignal)}`));
      expect(process.listenerCount(signal)).toBe(before + 1);
      process.emit(signal, signal);
      expect(written.join('')).toContain('\x1b[?25h');
      expect(raised).toEqual([`${signal}:${before}`]);
    }
  });

  it('forgets its handlers once the prompt is answered', () => {
    const before = process.listenerCount('SIGTERM');
    const forget = restoreCursorOnSignals(() => undefined, () => undefined);
    forget();
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});

import type { Clock, Timers } from '../../src/clock.js';

/** Lets pending promise callbacks and I/O callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A clock and timers in virtual time: nothing fires until advance() moves the clock past it, and
 * then timers fire in due order, each with the clock set to its due time. No real waiting, no
 * patched globals.
 */
export class VirtualTime implements Clock, Timers {
  private current: number;
  private sequence = 0;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    this.sequence += 1;
    this.pending.set(this.sequence, { at: this.current + Math.max(0, ms), callback });
    return this.sequence;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Delays (from now) of the timers still pending, soonest first. */
  scheduled(): number[] {
    return [...this.pending.values()].map((t) => t.at - this.current).sort((a, b) => a - b);
  }

  /** Moves the clock `ms` forward, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    for (;;) {
      await settle();
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.pending) {
        if (entry[1].at <= end && (next === undefined || entry[1].at < next[1].at)) next = entry;
      }
      if (next === undefined) break;
      this.pending.delete(next[0]);
      this.current = next[1].at;
      next[1].callback();
    }
    this.current = end;
    await settle();
  }
}

/** "Now" is a dependency: code that needs the time is handed a clock, so tests choose the time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * A token bucket: `burst` posts may go at once, then one every `intervalMs`. Slack allows about
 * one message a second per channel with short bursts. Pure: the caller passes the time in and
 * waits as long as it is told.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private notBefore = 0;

  constructor(
    private readonly burst: number,
    private readonly intervalMs: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.updatedAt) / this.intervalMs);
      this.updatedAt = now;
    }
  }

  /** Milliseconds to wait before the next post may go (0 = now). Does not take a token. */
  delay(now: number): number {
    if (now < this.notBefore) return this.notBefore - now;
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) * this.intervalMs);
  }

  /** Takes a token for a post sent at `now`. */
  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  /** Slack said 429: nothing more until `until`, and no burst right after it. */
  holdUntil(until: number): void {
    this.notBefore = Math.max(this.notBefore, until);
    this.tokens = 1;
    this.updatedAt = Math.max(this.updatedAt, this.notBefore);
  }
}

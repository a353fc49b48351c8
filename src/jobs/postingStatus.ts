import type { PostingState } from '../domain/health.js';

/**
 * Whether lead posting works, as the poster last found: the poster writes it, /healthz and
 * /metrics read it. One per running app, passed in (tests run several apps in one process).
 * It is memory only: after a restart the poster finds a lasting problem again on its first try.
 */
export class PostingStatus {
  private state: PostingState = { status: 'ok' };

  current(): PostingState {
    return this.state;
  }

  /** Slack refused the setup. True when this is news (another code than the one already known). */
  blocked(code: string, fix: string, at: number): boolean {
    if (this.state.status === 'blocked' && this.state.code === code) return false;
    this.state = { status: 'blocked', code, fix, since: at };
    return true;
  }

  /** A post went through. The code of the problem this ends, if there was one. */
  ok(): string | undefined {
    const ended = this.state.status === 'blocked' ? this.state.code : undefined;
    this.state = { status: 'ok' };
    return ended;
  }
}

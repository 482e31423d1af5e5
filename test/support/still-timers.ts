/** Timers for tests that drive time themselves: nothing ever fires. */
import type { TimerHandle, Timers } from '../../src/env/env.js';

export class StillTimers implements Timers {
  private id = 0;
  setTimeout(): TimerHandle {
    return { id: ++this.id };
  }
  clearTimeout(): void {}
  sleep(): Promise<void> {
    return new Promise(() => undefined);
  }
}

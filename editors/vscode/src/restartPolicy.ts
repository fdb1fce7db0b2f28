// How often a crashing server is restarted: a few times within a window,
// then not at all until the user asks, so that a server that dies at start
// does not spin in a restart loop.
export class RestartPolicy {
  private crashes: number[] = [];

  constructor(
    private readonly maxRestarts = 3,
    private readonly windowMs = 3 * 60 * 1000,
  ) {}

  /** Called when the server exits unexpectedly: restart it or not. */
  crashed(now: number): 'restart' | 'stop' {
    this.crashes = this.crashes.filter((t) => now - t < this.windowMs);
    this.crashes.push(now);
    return this.crashes.length <= this.maxRestarts ? 'restart' : 'stop';
  }

  /** A restart the user asked for starts the count afresh. */
  reset(): void {
    this.crashes = [];
  }
}

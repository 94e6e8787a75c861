/**
 * Self-refresh without runaway loops: the next run is scheduled only after the previous one settled, so
 * requests never overlap; errors back off (5 s, 10 s, 20 s... capped at 60 s); a hidden tab does not
 * poll and refreshes once when it becomes visible again; stop() ends it for good when the view goes.
 */

export interface PollerOptions {
  intervalMs?: number;
  maxBackoffMs?: number;
  /** Called with the error of a failed run and the delay before the next try. */
  onError?: (error: unknown, retryInMs: number) => void;
  onSuccess?: () => void;
}

export interface Poller {
  /** Runs now (after any in-flight run, never beside it) and resets the schedule. */
  refresh(): Promise<void>;
  stop(): void;
}

export function startPoller(
  task: (signal: AbortSignal) => Promise<void>,
  options: PollerOptions = {},
): Poller {
  const interval = options.intervalMs ?? 5_000;
  const maxBackoff = options.maxBackoffMs ?? 60_000;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  const controller = new AbortController();

  const schedule = (delay: number) => {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(() => void run(), delay);
  };

  const run = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (inFlight) return inFlight;
    if (document.hidden) {
      // Nothing to show to nobody; visibilitychange restarts us.
      clearTimeout(timer);
      return Promise.resolve();
    }
    inFlight = (async () => {
      try {
        await task(controller.signal);
        failures = 0;
        options.onSuccess?.();
        schedule(interval);
      } catch (error) {
        if (stopped) return;
        failures += 1;
        const delay = Math.min(maxBackoff, interval * 2 ** (failures - 1));
        options.onError?.(error, delay);
        schedule(delay);
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  const onVisibility = () => {
    if (!document.hidden) void run();
  };
  document.addEventListener('visibilitychange', onVisibility);
  void run();

  return {
    // After an action the data must reflect it: wait out an in-flight run, then run again.
    async refresh() {
      if (inFlight) await inFlight;
      await run();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    },
  };
}

import { describeError, SessionExpiredError } from '../api/client.js';
import { time } from '../ui/format.js';
import { type Poller, startPoller } from '../ui/poller.js';
import type { ViewContext } from './view.js';

/** The polling every list view shares: banner on failure, "updated at" on success. */
export function pollInto(ctx: ViewContext, task: () => Promise<void>, intervalMs = 5_000): Poller {
  let pollError = false;
  return startPoller(task, {
    intervalMs,
    onSuccess: () => {
      if (pollError) ctx.notify.clear();
      pollError = false;
      ctx.notify.freshness(`Updated ${time(new Date().toISOString())}`, false);
    },
    onError: (error, retryIn) => {
      if (error instanceof SessionExpiredError) return;
      pollError = true;
      ctx.notify.error(describeError(error));
      ctx.notify.freshness(`Retrying in ${Math.round(retryIn / 1000)} s`, true);
    },
  });
}

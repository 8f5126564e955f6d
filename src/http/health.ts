import express, { type Router } from 'express';
import type { Store } from '../store/store.js';

/** A readiness probe that hangs is a failed one: load balancers must not wait for it. */
export const READY_TIMEOUT_MS = 2_000;

/**
 * GET /healthz: liveness — 200 while the process serves (a store outage must not get every
 * replica restarted). GET /readyz: readiness — 200 while the store answers, 503 while it is
 * unreachable, so a load balancer sends SNS and Slack to replicas that can store what they get.
 */
export function healthRouter(store: Store): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        store.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('store ping timed out')), READY_TIMEOUT_MS);
          timer.unref();
        }),
      ]);
      res.status(200).json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable', reason: 'store' });
    } finally {
      clearTimeout(timer);
    }
  });
  return router;
}

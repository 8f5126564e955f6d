import express, { type Router } from 'express';
import type { Store } from '../store/store.js';

/** GET /healthz: 200 while the store answers (the one thing we cannot serve without). */
export function healthRouter(store: Store): Router {
  const router = express.Router();
  router.get('/healthz', async (_req, res) => {
    try {
      await store.ping();
      res.status(200).json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable', reason: 'store' });
    }
  });
  return router;
}

import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import type { Logger } from '../log.js';
import type { QueueRef } from './queue-url.js';

export interface SqsClients {
  clientFor(queue: QueueRef): SQSClient;
  destroy(): void;
}

/**
 * One SQS client per region. No endpoint is passed: the SDK sends each call to the queue URL's
 * host, or, when AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL is set, to that endpoint — it reads those
 * variables itself; `useQueueUrlAsEndpoint: false` stops the queue URL's host from overriding them.
 */
export function createSqsClients(opts: { endpointFromEnv: boolean; logger: Logger; extra?: Partial<SQSClientConfig> }): SqsClients {
  const log = opts.logger.child({ component: 'sqs-sdk' });
  // The SDK prints a console warning on every call to a non-AWS queue host (LocalStack, tests);
  // that is expected there, so it goes to our log at debug level instead.
  const sdkLogger = {
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (...a: unknown[]) => log.debug({ sdk: a.map(String).join(' ') }, 'sdk notice'),
    error: (...a: unknown[]) => log.warn({ sdk: a.map(String).join(' ') }, 'sdk error'),
  };
  const byRegion = new Map<string, SQSClient>();
  return {
    clientFor(queue) {
      let c = byRegion.get(queue.region);
      if (!c) {
        c = new SQSClient({ region: queue.region, logger: sdkLogger, ...(opts.endpointFromEnv ? { useQueueUrlAsEndpoint: false } : {}), ...opts.extra });
        byRegion.set(queue.region, c);
      }
      return c;
    },
    destroy() {
      for (const c of byRegion.values()) c.destroy();
      byRegion.clear();
    },
  };
}

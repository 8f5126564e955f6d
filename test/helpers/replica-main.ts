/**
 * One replica as its own process (the multi-process test and bench/replicas.ts): the real app
 * (startResponder) with a literal env given as JSON in REPLICA_ENV, AWS calls to the double named
 * in REPLICA_AWS_ENDPOINT, short replica timings from REPLICA_TIMINGS. Prints {"port":N} once serving.
 */
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startResponder } from '../../src/responder.js';

const env = JSON.parse(process.env.REPLICA_ENV ?? '{}') as Record<string, string>;
const endpoint = process.env.REPLICA_AWS_ENDPOINT;
const timings = process.env.REPLICA_TIMINGS ? (JSON.parse(process.env.REPLICA_TIMINGS) as Record<string, number>) : undefined;
const config = loadConfig(env);
const logger = createLogger(config.logLevel, process.stderr);
const responder = await startResponder(config, logger, {
  ...(endpoint
    ? {
        awsOptions: {
          endpointUrl: endpoint,
          defaultRegion: 'us-east-1',
          credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
          maxAttempts: 2,
          logger: createLogger('silent'),
        },
      }
    : {}),
  ...(timings ? { replicaTimings: timings } : {}),
});
process.stdout.write(`${JSON.stringify({ port: responder.http.port, replicaId: responder.replica.id })}\n`);
process.on('SIGTERM', () => void responder.close().then(() => process.exit(0)));

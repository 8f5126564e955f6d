#!/usr/bin/env node
/**
 * Composition root: read config once, build the logger, start the responder, stop cleanly.
 * Nothing else in the app reads process.env.
 */
import { loadConfig, loadDotEnv, type Config } from './config.js';
import { describeError, isAppError } from './errors.js';
import { createLogger } from './log.js';
import { startResponder } from './responder.js';
import { explainAuthTestFailure } from './slack/auth-check.js';

async function main(): Promise<void> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (isAppError(err, 'config_invalid')) {
      process.stderr.write(`guardduty-responder: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const responder = await startResponder(config, logger);
  logger.info(
    {
      port: responder.http.port,
      host: config.host,
      slack: config.slack.appToken ? 'socket-mode' : 'POST /slack/events',
      sns: config.sns.topicArns.length ? 'POST /sns' : 'off',
      sqsQueues: config.sqs.queueUrls.length,
    },
    'guardduty-responder serving (GET /healthz)',
  );
  responder.http.socketMode?.then(() => logger.info('Slack Socket Mode connected')).catch(() => undefined);
  responder.slack
    .whoAmI()
    .then((r) => logger.info({ team: r.team, botUser: r.user }, 'Slack token works'))
    .catch((err) => {
      const failure = explainAuthTestFailure(err);
      logger.error({ err: describeError(err), check: failure.kind }, failure.message);
    });

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    responder
      .close()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`guardduty-responder: failed to start: ${describeError(err)}\n`);
  process.exit(1);
});

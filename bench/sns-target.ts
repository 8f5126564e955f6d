/**
 * Child process for the SNS benchmark: either the real app (`app`) or a bare node:http handler
 * (`bare`) that reads the body and answers 200. Prints {"port":N} on stdout when listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { startResponder } from '../src/responder.js';
import { startSlackDouble } from '../test/doubles/slack.js';

const mode = process.argv[2];
if (mode === 'bare') {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));
  process.once('SIGINT', () => process.exit(0));
} else {
  const slack = await startSlackDouble();
  const dir = mkdtempSync(join(tmpdir(), 'gd-bench-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: 'bench-signing-secret',
    SLACK_CHANNEL_ID: 'C0BENCH',
    SLACK_API_URL: slack.apiUrl,
    SNS_TOPIC_ARNS: process.env.BENCH_TOPIC_ARN,
    SNS_CERT_URL_PATTERN: process.env.BENCH_CERT_PATTERN,
    STORE_URL: `sqlite:${join(dir, 'bench.db')}`,
  });
  const r = await startResponder(config, createLogger('warn'));
  console.log(JSON.stringify({ port: r.http.port }));
  process.once('SIGINT', () => void r.close().then(() => process.exit(0)));
}

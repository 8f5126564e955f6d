import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { DescribeClustersCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { DescribeNetworkAclsCommand, CreateNetworkAclEntryCommand } from '@aws-sdk/client-ec2';
import { createAwsClientFactory, DEFAULT_MAX_ATTEMPTS } from '../../src/aws/clients.js';
import { RATE_LIMIT_MIDDLEWARE_NAME } from '../../src/aws/rate-limit.js';
import { isAppError } from '../../src/errors.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** A transport that answers every call locally, so the real SDK stack (middleware, signing,
 * (de)serialisation) runs without a network. */
function fakeTransport(body: (target: string) => string, contentType = 'application/x-amz-json-1.1') {
  const seen: string[] = [];
  return {
    seen,
    handler: {
      handle: async (req: { headers: Record<string, string>; body?: unknown }) => {
        const target = req.headers['x-amz-target'] ?? String(req.body ?? '').split('&')[0] ?? '';
        seen.push(target);
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': contentType, 'x-amzn-requestid': `rid-${seen.length}` },
            body: Readable.from([Buffer.from(body(target))]),
          },
        };
      },
    },
  };
}

function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

describe('createAwsClientFactory', () => {
  test('caches clients per account and Region, defaults the Region', () => {
    const f = createAwsClientFactory({ defaultRegion: 'eu-west-1', credentials });
    const a = f.forTarget({ accountId: '123456789012' });
    assert.equal(f.forTarget({ accountId: '123456789012', region: 'eu-west-1' }), a);
    assert.notEqual(f.forTarget({ accountId: '123456789012', region: 'us-east-1' }), a);
    assert.notEqual(f.forTarget({ accountId: '210987654321' }), a);
    f.destroy();
  });

  test('retry mode standard, maxAttempts 5 by default, Region set', async () => {
    const f = createAwsClientFactory({ defaultRegion: 'eu-west-1', credentials });
    const { ecs, ec2, ecr } = f.forTarget({ accountId: '123456789012' });
    assert.equal(DEFAULT_MAX_ATTEMPTS, 5);
    for (const c of [ecs, ec2, ecr]) {
      assert.equal(await c.config.maxAttempts(), 5);
      const mode = c.config.retryMode as unknown;
      assert.equal(typeof mode === 'function' ? await (mode as () => Promise<string>)() : mode, 'standard');
      assert.equal(await c.config.region(), 'eu-west-1');
    }
    f.destroy();
  });

  test('no hard-coded endpoint unless endpointUrl is given', async () => {
    const saved = process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_ENDPOINT_URL;
    const plain = createAwsClientFactory({ defaultRegion: 'eu-west-1', credentials }).forTarget({ accountId: '123456789012' });
    if (saved !== undefined) process.env.AWS_ENDPOINT_URL = saved;
    assert.equal(plain.ecs.config.isCustomEndpoint, false);
    const local = createAwsClientFactory({ defaultRegion: 'eu-west-1', credentials, endpointUrl: 'http://127.0.0.1:4566' }).forTarget({
      accountId: '123456789012',
    });
    assert.equal(local.ecs.config.isCustomEndpoint, true);
    const ep = await local.ec2.config.endpoint!();
    assert.equal(ep.hostname, '127.0.0.1');
    assert.equal(ep.port, 4566);
  });

  test('without endpointUrl the SDK resolves the endpoint itself, so AWS_ENDPOINT_URL is honoured', async () => {
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4599';
    try {
      let host = '';
      const transport = fakeTransport(() => JSON.stringify({ clusterArns: [] }));
      const handler = {
        handle: async (req: { hostname: string; port?: number; headers: Record<string, string> }) => {
          host = `${req.hostname}:${req.port}`;
          return transport.handler.handle(req);
        },
      };
      const f = createAwsClientFactory({ defaultRegion: 'eu-west-1', credentials, requestHandler: handler });
      await f.forTarget({ accountId: '123456789012' }).ecs.send(new DescribeClustersCommand({}));
      assert.equal(host, '127.0.0.1:4599');
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
    }
  });

  test('credentialsFor is the cross-account seam', async () => {
    const asked: string[] = [];
    const f = createAwsClientFactory({
      defaultRegion: 'eu-west-1',
      credentials,
      credentialsFor: ({ accountId }) => {
        asked.push(accountId);
        return accountId === '210987654321' ? { accessKeyId: 'OTHER', secretAccessKey: 'x' } : undefined;
      },
    });
    const other = f.forTarget({ accountId: '210987654321' });
    const own = f.forTarget({ accountId: '123456789012' });
    assert.equal((await other.ecs.config.credentials()).accessKeyId, 'OTHER');
    assert.equal((await own.ecs.config.credentials()).accessKeyId, 'AKIDEXAMPLE');
    assert.deepEqual(asked, ['210987654321', '123456789012']);
  });

  test('rejects a malformed account id or missing Region', () => {
    const f = createAwsClientFactory({ credentials });
    assert.throws(
      () => f.forTarget({ accountId: '123' }),
      (e: unknown) => isAppError(e, 'action_invalid'),
    );
    assert.throws(
      () => f.forTarget({ accountId: '123456789012' }),
      (e: unknown) => isAppError(e, 'action_invalid'),
    );
  });

  test('the limiter sits inside the retry loop, before signing', () => {
    const { ecs } = createAwsClientFactory({ defaultRegion: 'eu-west-1', credentials }).forTarget({ accountId: '123456789012' });
    const names = ecs.middlewareStack.identify().map((s) => s.split(' ')[0]!);
    const at = (n: string) => names.indexOf(n);
    assert.ok(at('retryMiddleware') >= 0 && at('httpSigningMiddleware') >= 0);
    assert.ok(at('retryMiddleware') < at(RATE_LIMIT_MIDDLEWARE_NAME));
    assert.ok(at(RATE_LIMIT_MIDDLEWARE_NAME) < at('httpSigningMiddleware'));
  });

  test('real SDK stack: task-read calls are paced by the shared bucket, other calls are not', async () => {
    const clock = fakeClock();
    const transport = fakeTransport(() => JSON.stringify({ taskArns: [], clusters: [] }));
    const f = createAwsClientFactory({
      defaultRegion: 'eu-west-1',
      credentials,
      clock,
      requestHandler: transport.handler,
      rateLimits: { 'ecs:task-read': { burst: 2, perSecond: 20 } },
    });
    const { ecs } = f.forTarget({ accountId: '123456789012' });
    const out = await ecs.send(new ListTasksCommand({ cluster: 'prod' }));
    assert.equal(out.$metadata.requestId, 'rid-1');
    await ecs.send(new ListTasksCommand({ cluster: 'prod' }));
    await ecs.send(new DescribeClustersCommand({}));
    await ecs.send(new ListTasksCommand({ cluster: 'prod' }));
    await ecs.send(new ListTasksCommand({ cluster: 'prod' }));
    assert.deepEqual(
      transport.seen.map((s) => s.split('.')[1]),
      ['ListTasks', 'ListTasks', 'DescribeClusters', 'ListTasks', 'ListTasks'],
    );
    assert.deepEqual(clock.sleeps, [50, 50]);
  });

  test('real SDK stack: EC2 mutating calls are paced, describes are not', async () => {
    const clock = fakeClock();
    const xml = '<?xml version="1.0"?><R xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><return>true</return><networkAclSet/></R>';
    const transport = fakeTransport(() => xml, 'text/xml');
    const f = createAwsClientFactory({ defaultRegion: 'eu-west-1', credentials, clock, requestHandler: transport.handler });
    const { ec2 } = f.forTarget({ accountId: '123456789012' });
    for (let i = 0; i < 12; i++) {
      await ec2.send(
        new CreateNetworkAclEntryCommand({
          NetworkAclId: 'acl-1',
          RuleNumber: i + 1,
          Egress: false,
          Protocol: '-1',
          RuleAction: 'deny',
          CidrBlock: '10.0.0.1/32',
        }),
      );
    }
    await ec2.send(new DescribeNetworkAclsCommand({}));
    assert.equal(transport.seen.length, 13);
    assert.deepEqual(clock.sleeps, [200, 200]); // burst 10, then 5/s
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFindingCard, buildSeenAgainReply, CONSOLE_BUTTON_ACTION_ID, type CardView, type SlackMessage } from '../../src/cards/finding-card.js';
import { isAppError } from '../../src/errors.js';
import type { Finding } from '../../src/findings/model.js';
import { FIXTURES, fixtureFinding } from '../fixtures/findings/load.js';
import { assertNoSlackMarkup, assertWithinBlockKitLimits, messageTexts } from './limits-helper.js';

const NEW: CardView = { status: 'New — no action taken yet' };

function card(name: (typeof FIXTURES)[keyof typeof FIXTURES], view: CardView = NEW): SlackMessage {
  const m = buildFindingCard(fixtureFinding(name), view);
  assertWithinBlockKitLimits(m);
  return m;
}

/** All the text a reader sees, blocks and notification text. */
function seen(m: SlackMessage): string {
  return messageTexts(m).join('\n');
}

function block(m: SlackMessage, id: string): Record<string, unknown> | undefined {
  return m.blocks.find((b) => b.block_id === id) as Record<string, unknown> | undefined;
}

function includesAll(text: string, parts: readonly string[]): void {
  for (const p of parts) assert.ok(text.includes(p), `card should show ${JSON.stringify(p)}`);
}

describe('finding card: every fixture is a valid message', () => {
  for (const name of Object.values(FIXTURES)) {
    test(name, () => {
      const m = card(name);
      assert.equal(m.blocks[0]?.type, 'header');
      assert.equal(m.blocks.at(-1)?.type, 'actions');
      assert.ok(!m.text.includes('\n'), 'notification text is one line');
    });
  }
});

describe('finding card: common part', () => {
  const m = card(FIXTURES.ecsFargate);

  test('header has the severity level and the title', () => {
    const header = (block(m, 'gd_header')!.text as { text: string }).text;
    assert.equal(header, '🟠 HIGH · A process in an ECS task opened a reverse shell.');
  });

  test('summary fields: type, severity, account, region, resource type, count, first/last seen', () => {
    includesAll(seen(m), [
      'Execution:Runtime/ReverseShell',
      '🟠 HIGH (8.0)',
      '123456789012',
      'us-east-1',
      'ECSCluster',
      '*Count*\n3',
      '*First seen*\n2024-05-02 10:41:07 UTC',
      '*Last seen*\n2024-05-02 10:44:51 UTC',
    ]);
  });

  test('status line from the view, and the finding id', () => {
    const status = block(m, 'gd_status') as { type: string; elements: { text: string }[] };
    assert.equal(status.type, 'context');
    assert.equal(status.elements[0]?.text, '*Status:* New — no action taken yet');
    assert.match(status.elements[1]?.text ?? '', /c2c6f0b7e1a94d0f8a5f2e6d4b3a1c90/);
  });

  test('the console link button is always last, with the partition-correct URL', () => {
    const actions = m.blocks.at(-1) as { elements: { action_id: string; url?: string; text: { text: string } }[] };
    const link = actions.elements.at(-1);
    assert.equal(link?.action_id, CONSOLE_BUTTON_ACTION_ID);
    assert.equal(link?.text.text, 'View in GuardDuty console');
    assert.equal(
      link?.url,
      'https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current&fId=c2c6f0b7e1a94d0f8a5f2e6d4b3a1c90',
    );
  });

  test('notification text: level, title, resource, account and region on one line', () => {
    assert.equal(
      m.text,
      '🟠 HIGH GuardDuty finding: A process in an ECS task opened a reverse shell. — task 8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e in prod-payments (account 123456789012, us-east-1)',
    );
  });

  test('every mrkdwn text object is verbatim (no auto-linking of finding text)', () => {
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) {
        v.forEach(visit);
        return;
      }
      if (v === null || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn') assert.equal(o.verbatim, true, JSON.stringify(o).slice(0, 100));
      Object.values(o).forEach(visit);
    };
    for (const name of Object.values(FIXTURES)) visit(card(name).blocks);
  });

  test('same input, same message (chat.update can be replayed)', () => {
    assert.deepEqual(card(FIXTURES.ecsFargate), m);
  });
});

describe('finding card: runtime resource kinds', () => {
  test('ECS Fargate task: cluster, service, task, task definition, launch type, containers with image and digest', () => {
    includesAll(seen(card(FIXTURES.ecsFargate)), [
      '*Cluster*\n`prod-payments`',
      '*Service*\n`checkout-api`',
      'arn:aws:ecs:us-east-1:123456789012:task/prod-payments/8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e',
      'arn:aws:ecs:us-east-1:123456789012:task-definition/checkout-api:42',
      '`FARGATE`',
      '*Containers (2)*',
      '`checkout-api` · image `123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout-api` · digest `sha256:4f1c9b2a7d3e8f6051a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708`',
      '`envoy` · image `public.ecr.aws/appmesh/aws-appmesh-envoy:v1.27.2.0-prod`',
    ]);
  });

  test('ECS on EC2: group that is not a service, and the container instance', () => {
    includesAll(seen(card(FIXTURES.ecsEc2)), [
      '`family:report-worker` (not a service)',
      '`EC2`',
      '*Host instance*\n`i-0d1e2f3a4b5c6d7e8`',
      '`eni-0aa11bb22cc33dd44`',
      '`report-worker`',
    ]);
  });

  test('EC2 instance: id, type, VPC, every ENI with private IPs and security groups, tags, profile', () => {
    const text = seen(card(FIXTURES.instanceEc2));
    includesAll(text, [
      '*Instance*\n`i-0abc1234def567890`',
      '`c6i.xlarge`',
      '`vpc-0f0e0d0c0b0a09080`',
      '*Network interfaces (2)*',
      '`eni-0123456789abcdef0` · private `10.0.1.15`, `10.0.1.16` · public `203.0.113.10`',
      '`subnet-0a1a2a3a4a5a6a7a8`',
      '`sg-0aaa1111bbbb2222c` (web-public), `sg-0ddd3333eeee4444f` (ssm-endpoints)',
      '`eni-0fedcba9876543210` · private `10.0.2.77`',
      '`sg-0123fedc4567ba980` (backend-internal)',
      '*Tags (3)*',
      '`Name` = `web-01`',
      'arn:aws:iam::123456789012:instance-profile/web-tier',
    ]);
    assert.ok(!text.includes('EKS cluster'), 'not an EKS node');
  });

  test('EKS node: the cluster it belongs to', () => {
    includesAll(seen(card(FIXTURES.instanceEksNode)), ['*EKS cluster*\n`prod-eks`', '`i-07f6e5d4c3b2a1908`', '`172.31.40.87`']);
  });

  test('EKS pod: cluster, namespace, pod, node, containers and images', () => {
    includesAll(seen(card(FIXTURES.eksPod)), [
      '*EKS cluster*\n`prod-eks`',
      '*Namespace*\n`media`',
      '*Pod*\n`image-resizer-6d8f9c7b5-x2kqp`',
      '*Node*\n`ip-172-31-10-45.ap-southeast-2.compute.internal`',
      '*Service account*\n`image-resizer`',
      '`resizer` · image `345678901234.dkr.ecr.ap-southeast-2.amazonaws.com/image-resizer:3.8.0` · *privileged*',
    ]);
  });

  test('standalone container: id, name, image, runtime', () => {
    includesAll(seen(card(FIXTURES.container)), [
      '*Container*\n`legacy-cron`',
      '`9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b`',
      '*Image*\n`registry.example.com/ops/legacy-cron:1.0.3`',
      '*Runtime*\n`docker`',
    ]);
  });

  test('runtime process: name, path, SHA-256, pid, user, parent chain, command line', () => {
    includesAll(seen(card(FIXTURES.ecsFargate)), [
      '*Process* `bash` (pid 2319, ns pid 57)',
      '*User* `app` (uid 1000)',
      '*Executable* `/usr/bin/bash`',
      '*SHA-256* `d86b21405852d8642ca41afae9dcf0f532e2d67973b0648b0af7c26933f1becb`',
      '*Parents* `python3.12` (2287) ← `gunicorn` (1873)',
    ]);
    includesAll(seen(card(FIXTURES.container)), ["*Command line*\n```python2.7 -c exec(__import__('base64').b64decode('aW1wb3J0IG9z...'))```"]);
    assert.equal(block(card(FIXTURES.s3), 'gd_process'), undefined, 'no process section without runtime details');
  });

  test('what GuardDuty saw: remote IP and port, domain', () => {
    includesAll(seen(card(FIXTURES.ecsFargate)), ['*Remote IP*\n`198.51.100.23` port `4444` (Netherlands, Example Hosting)']);
    includesAll(seen(card(FIXTURES.ecsEc2)), ['*Domain*\n`c2.example-malware.net`']);
  });
});

describe('finding card: non-runtime findings get a sensible generic card', () => {
  test('S3: bucket, who changed it, the API call', () => {
    const m = card(FIXTURES.s3);
    includesAll(seen(m), [
      '🔵 LOW · Amazon S3 Block Public Access was disabled for S3 bucket acme-invoices-prod.',
      '*S3 bucket*\n`acme-invoices-prod` (NOT_PUBLIC)',
      '*Access key*\n`ASIAEXAMPLEKEY000001`',
      '*API call*\n`PutBucketPublicAccessBlock` on `s3.amazonaws.com`',
      '*Remote IP*\n`192.0.2.44`',
      'Policy:S3/BucketBlockPublicAccessDisabled',
    ]);
    assert.equal(block(m, 'gd_ecs') ?? block(m, 'gd_instance') ?? block(m, 'gd_eks'), undefined);
  });

  test('IAM credential exfiltration: access key, principal, caller IP, user agent', () => {
    includesAll(seen(card(FIXTURES.iamExfiltration)), [
      '*Access key*\n`ASIAEXAMPLEKEY000002`',
      '*Principal*\n`web-tier-role` (AssumedRole)',
      '*Remote IP*\n`203.0.113.99` (Romania, Example VPS)',
      '*User agent*\n`aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.kali`',
    ]);
  });

  test('RDS login: instance, cluster, engine, user, database', () => {
    includesAll(seen(card(FIXTURES.rdsLogin)), [
      '*DB instance*\n`orders-db-1`',
      '*DB cluster*\n`orders-db`',
      '`aurora-postgresql`',
      '*DB user*\n`reporting_ro`',
      '*Database*\n`orders`',
    ]);
  });

  test('attack sequence: critical, principal, signal count', () => {
    includesAll(seen(card(FIXTURES.attackSequence)), [
      '🔴 CRITICAL · Potential credential compromise',
      '*Principal*\n`ci-deployer` (IAMUser)',
      '*Attack sequence*\n2 signals',
    ]);
  });

  test('an unknown resource type with no identifiers still renders', () => {
    const f = { ...fixtureFinding(FIXTURES.iamExfiltration), resourceType: 'BedrockGuardrail', raw: { resource: {} } } as Finding;
    const m = buildFindingCard(f, NEW);
    assertWithinBlockKitLimits(m);
    includesAll(seen(m), ['*Resource type*\n`BedrockGuardrail`']);
  });
});

describe('finding card: severity levels and the sample marker', () => {
  for (const [severity, header] of [
    [10, '🔴 CRITICAL'],
    [9, '🔴 CRITICAL'],
    [8.9, '🟠 HIGH'],
    [7, '🟠 HIGH'],
    [6.9, '🟡 MEDIUM'],
    [4, '🟡 MEDIUM'],
    [3.9, '🔵 LOW'],
    [1, '🔵 LOW'],
  ] as const) {
    test(`severity ${severity} → ${header}`, () => {
      const m = buildFindingCard({ ...fixtureFinding(FIXTURES.ecsFargate), severity }, NEW);
      const text = (m.blocks[0] as { text: { text: string } }).text.text;
      assert.ok(text.startsWith(`${header} · `), text);
      assert.ok(m.text.startsWith(header), m.text);
    });
  }

  test('a sample finding says so in the header, in a note and in the notification', () => {
    const m = card(FIXTURES.sample);
    assert.match((m.blocks[0] as { text: { text: string } }).text.text, /^🟡 MEDIUM · SAMPLE · /);
    assert.match(seen(m), /Sample finding/);
    assert.ok(m.text.startsWith('[SAMPLE] '));
    const real = card(FIXTURES.ecsFargate);
    assert.doesNotMatch(seen(real), /SAMPLE|Sample finding/);
  });
});

describe('finding card: view (status, actions, facts)', () => {
  const actions = [
    { actionId: 'gd_isolate', text: 'Isolate task', value: 'k1', style: 'danger' as const },
    { actionId: 'gd_stop', text: 'Stop task', value: 'k1' },
  ];

  test('actions come before the console link, with their values and styles', () => {
    const m = card(FIXTURES.ecsFargate, { status: 'Isolating…', actions });
    const els = (m.blocks.at(-1) as unknown as { elements: Record<string, unknown>[] }).elements;
    assert.deepEqual(
      els.map((e) => [e.action_id, (e.text as { text: string }).text, e.value, e.style]),
      [
        ['gd_isolate', 'Isolate task', 'k1', 'danger'],
        ['gd_stop', 'Stop task', 'k1', undefined],
        [CONSOLE_BUTTON_ACTION_ID, 'View in GuardDuty console', undefined, undefined],
      ],
    );
    includesAll(seen(m), ['*Status:* Isolating…']);
  });

  test('status and facts are escaped plain text', () => {
    const m = card(FIXTURES.ecsFargate, { status: 'Stopped by <@U1> & co', facts: [{ label: 'Blast radius', value: '12 tasks use <image>' }] });
    includesAll(seen(m), ['*Status:* Stopped by &lt;@U1&gt; &amp; co', '*Blast radius*\n12 tasks use &lt;image&gt;']);
  });

  test('more than 10 facts: 9 shown and "and N more"', () => {
    const facts = Array.from({ length: 14 }, (_, i) => ({ label: `fact ${i}`, value: `v${i}` }));
    const m = card(FIXTURES.ecsFargate, { status: 's', facts });
    const fields = (block(m, 'gd_facts') as { fields: { text: string }[] }).fields;
    assert.equal(fields.length, 10);
    assert.equal(fields.at(-1)?.text, '*More*\n…and 5 more');
  });

  test('long button texts are cut to 75 characters', () => {
    card(FIXTURES.ecsFargate, { status: 's', actions: [{ actionId: 'a', text: 'x'.repeat(300), value: 'v' }] });
  });

  test('programming errors are refused: duplicate ids, values over 2000, more than 24 actions', () => {
    const f = fixtureFinding(FIXTURES.ecsFargate);
    const refused = (view: CardView) =>
      assert.throws(
        () => buildFindingCard(f, view),
        (e: unknown) => isAppError(e, 'action_invalid'),
      );
    refused({ status: 's', actions: [actions[0]!, actions[0]!] });
    refused({ status: 's', actions: [{ actionId: CONSOLE_BUTTON_ACTION_ID, text: 't', value: 'v' }] });
    refused({ status: 's', actions: [{ actionId: 'a', text: 't', value: 'v'.repeat(2001) }] });
    refused({ status: 's', actions: [{ actionId: 'x'.repeat(256), text: 't', value: 'v' }] });
    refused({ status: 's', actions: Array.from({ length: 25 }, (_, i) => ({ actionId: `a${i}`, text: 't', value: 'v' })) });
    card(FIXTURES.huge, {
      status: 's',
      actions: Array.from({ length: 24 }, (_, i) => ({ actionId: `a${i}`, text: 't'.repeat(100), value: 'v'.repeat(2000) })),
    });
  });
});

describe('seen-again thread reply', () => {
  test('"Seen again: count 7 (was 3), last seen <time>"', () => {
    const f = { ...fixtureFinding(FIXTURES.ecsFargate), count: 7 };
    const m = buildSeenAgainReply(f, { count: 3, updatedAt: '2024-05-02T10:47:12.114Z' });
    assertWithinBlockKitLimits(m);
    assert.equal(m.text, 'Seen again: count 7 (was 3), last seen 2024-05-02 10:44:51 UTC');
    assert.equal(m.blocks.length, 1);
    assert.match(seen(m), /count 7 \(was 3\)/);
  });

  test('same count (a re-publish with new details) and a missing lastSeen', () => {
    const f = { ...fixtureFinding(FIXTURES.ecsFargate) };
    delete f.lastSeen;
    const m = buildSeenAgainReply(f, { count: 3, updatedAt: 'x' });
    assert.equal(m.text, 'Seen again: count 3 (unchanged), last seen 2024-05-02 10:52:40 UTC');
  });

  test('a hostile lastSeen is escaped', () => {
    const m = buildSeenAgainReply(fixtureFinding(FIXTURES.injection), { count: 1, updatedAt: 'x' });
    assertNoSlackMarkup(m);
    assertWithinBlockKitLimits(m);
  });
});

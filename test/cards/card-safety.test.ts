/**
 * The card is built from attacker-influenced data: nothing in it may become a mention or a link,
 * and no input size may produce a message Slack rejects.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { blocksTextLength, MESSAGE_BLOCKS_TEXT_BUDGET } from '../../src/cards/limits.js';
import { buildFindingCard, consoleUrl } from '../../src/cards/finding-card.js';
import type { Finding } from '../../src/findings/model.js';
import { parseFindings } from '../../src/findings/parse.js';
import { FIXTURES, fixtureFinding, fixtureJson, type EditableJson } from '../fixtures/findings/load.js';
import { assertNoSlackMarkup, assertWithinBlockKitLimits, messageTexts } from './limits-helper.js';

const NEW = { status: 'New — no action taken yet' };

describe('injection: finding strings cannot mention, link or restyle the card', () => {
  const m = buildFindingCard(fixtureFinding(FIXTURES.injection), NEW);
  const json = JSON.stringify(m);
  const text = messageTexts(m).join('\n');

  test('the message is valid', () => assertWithinBlockKitLimits(m));

  test('no raw <!…>, <@…>, <#…>, <http…> anywhere in the JSON', () => {
    for (const raw of ['<!', '<@', '<#', '<http']) assert.ok(!json.includes(raw), `found ${raw}`);
    assertNoSlackMarkup(m);
  });

  test('the hostile strings are shown escaped, not dropped', () => {
    for (const shown of [
      '&lt;!channel&gt; app', // container name
      '&lt;!channel&gt; &amp; &lt;@U123&gt;', // process name
      '/tmp/&lt;https://evil.example|click&gt;', // executable path
      'curl &lt;https://evil.example|click&gt; &amp;&amp; echo &lt;!channel&gt;', // command line
      '`&lt;!everyone&gt;` = `&lt;@U123|admin&gt;`', // tag key and value
      'web &amp; &lt;https://evil.example|login here&gt;', // tag value
      '`sg-0badc0ffee0000001` (&lt;@U123&gt; &amp; friends)', // security group name
      '&lt;!subteam^S0123ABCD&gt;', // task group
      'Injected &lt;!channel&gt; title &lt;@U123&gt; &lt;https://evil.example|click&gt; &amp; more', // title
      '&lt;!date^1700000000^{date}|now&gt;', // a timestamp field
    ]) {
      assert.ok(text.includes(shown), `expected ${shown}`);
    }
  });

  test('a value cannot open a new line, close a code span or reverse text', () => {
    assert.ok(text.includes('`note` = `line1 *Status:* Resolved by &lt;@U999&gt;\ufffdexe.txt`'), 'newline flattened, RLO replaced');
    assert.ok(text.includes('`sideˋcar *bold* _it_ ~s~ ˋˋˋblockˋˋˋ &gt; quote`'), 'backticks replaced inside the code span');
    assert.ok(!/\u202e/.test(json));
  });

  test('the notification text is escaped too', () => {
    assert.ok(!/[<>]/.test(m.text));
    assert.match(m.text, /&lt;!channel&gt;/);
  });

  test('a hostile region or id cannot redirect the console link', () => {
    const f = fixtureFinding(FIXTURES.injection);
    const url = consoleUrl({ ...f, region: 'evil.example/#', id: 'x"><script>&fId=1' });
    assert.ok(url.startsWith('https://console.aws.amazon.com/guardduty/home#/findings?macros=current&fId='), url);
    assert.ok(url.endsWith(encodeURIComponent('x"><script>&fId=1')));
  });
});

describe('size: any input stays within every limit', () => {
  test('the huge fixture (300 containers, 200 tags, 60 ENIs, 5 KB strings)', () => {
    const m = buildFindingCard(fixtureFinding(FIXTURES.huge), NEW);
    assertWithinBlockKitLimits(m);
    const text = messageTexts(m).join('\n');
    assert.match(text, /\*Containers \(300\)\*[\s\S]*…and \d+ more/);
    assert.match(text, /\*Tags \(200\)\*[\s\S]*…and \d+ more/);
    assert.match(text, /\*Network interfaces \(60\)\*[\s\S]*…and \d+ more/);
    assert.match(text, /…and 15 more/, 'IPs of one ENI');
    assert.match(text, /\*Parents\* [^\n]*…and \d+ more/);
    assert.match(text, /```[^`]*…```/, 'command line cut inside its code block');
    assert.ok((m.blocks[0] as { text: { text: string } }).text.text.endsWith('…'), 'title cut');
  });

  test('the huge fixture with the most a view can add (24 actions, 14 facts)', () => {
    const m = buildFindingCard(fixtureFinding(FIXTURES.huge), {
      status: 's'.repeat(5000),
      actions: Array.from({ length: 24 }, (_, i) => ({ actionId: `gd_a${i}`, text: 'x'.repeat(200), value: 'v'.repeat(2000) })),
      facts: Array.from({ length: 14 }, (_, i) => ({ label: 'L'.repeat(500), value: `${i}`.repeat(5000) })),
    });
    assertWithinBlockKitLimits(m);
  });

  test('worst case: every field at once, every character expanding when escaped', () => {
    const m = buildFindingCard(worstCase(), {
      status: '<&>'.repeat(2000),
      actions: Array.from({ length: 24 }, (_, i) => ({ actionId: `gd_a${i}`, text: '<&>'.repeat(100), value: 'v' })),
      facts: Array.from({ length: 20 }, () => ({ label: '&'.repeat(500), value: '<'.repeat(5000) })),
    });
    assertWithinBlockKitLimits(m);
    assertNoSlackMarkup(m);
    assert.ok(blocksTextLength(m.blocks) <= MESSAGE_BLOCKS_TEXT_BUDGET);
  });

  test('empty strings everywhere still give non-empty texts', () => {
    const f = fixtureFinding(FIXTURES.ecsFargate);
    const blank: Finding = {
      ...f,
      title: '',
      description: '',
      type: '',
      ecs: { containers: [{ name: '', image: '' }], clusterName: '' },
      process: { name: '', lineage: [{ name: '' }], commandLine: '   ' },
    };
    assertWithinBlockKitLimits(buildFindingCard(blank, { status: '' }));
  });
});

/** A finding whose every string is long and made of `<&>` (5x longer once escaped). */
function worstCase(): Finding {
  const evil = (n: number) => '<&>'.repeat(Math.ceil(n / 3)).slice(0, n);
  const detail = fixtureJson(FIXTURES.huge) as EditableJson;
  detail.title = evil(5000);
  detail.description = evil(5000);
  detail.type = evil(5000);
  const task = detail.resource.ecsClusterDetails.taskDetails;
  task.arn = evil(3000);
  task.definitionArn = evil(3000);
  task.group = `service:${evil(3000)}`;
  task.launchType = evil(3000);
  detail.resource.ecsClusterDetails.name = evil(3000);
  for (const c of task.containers) Object.assign(c, { name: evil(3000), image: evil(3000) });
  for (const t of detail.resource.instanceDetails.tags) Object.assign(t, { key: evil(500), value: evil(3000) });
  for (const n of detail.resource.instanceDetails.networkInterfaces) {
    n.networkInterfaceId = evil(500);
    for (const g of n.securityGroups) Object.assign(g, { groupId: evil(300), groupName: evil(3000) });
  }
  Object.assign(detail.resource.instanceDetails, {
    instanceId: evil(500),
    instanceType: evil(500),
    iamInstanceProfile: { arn: evil(3000) },
    availabilityZone: evil(300),
    imageId: evil(300),
    instanceState: evil(300),
  });
  const p = detail.service.runtimeDetails.process;
  Object.assign(p, {
    name: evil(5000),
    executablePath: evil(5000),
    executableSha256: evil(5000),
    user: evil(5000),
    pwd: evil(5000),
    commandLine: evil(50_000),
  });
  for (const l of p.lineage) l.name = evil(3000);
  detail.service.action.networkConnectionAction.remoteIpDetails.ipAddressV4 = evil(3000);
  detail.service.action.networkConnectionAction.remoteIpDetails.country.countryName = evil(3000);
  const [f] = parseFindings(detail);
  return f as Finding;
}

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkAclEntry } from '@aws-sdk/client-ec2';
import { existingDeny, hostCidr, lowestAllowRule, pickRuleNumbers, placeDenyEntries, ruleCount } from '../../../src/aws/ec2/nacl-rules.js';
import { NACL_RULES_PER_DIRECTION_DEFAULT } from '../../../src/aws/ec2/types.js';

const allow = (n: number, egress: boolean, cidr = '0.0.0.0/0'): NetworkAclEntry => ({
  RuleNumber: n,
  Egress: egress,
  RuleAction: 'allow',
  Protocol: '-1',
  CidrBlock: cidr,
});
const deny = (n: number, egress: boolean, cidr = '0.0.0.0/0'): NetworkAclEntry => ({
  RuleNumber: n,
  Egress: egress,
  RuleAction: 'deny',
  Protocol: '-1',
  CidrBlock: cidr,
});
const defaults = [deny(32767, false), deny(32767, true)];

describe('rule numbers', () => {
  test('default quota constant', () => assert.equal(NACL_RULES_PER_DIRECTION_DEFAULT, 20));

  test('lowest free numbers from 1, skipping used ones, per direction', () => {
    const entries = [deny(1, false, '1.2.3.4/32'), deny(3, false, '1.2.3.5/32'), allow(100, false), allow(50, true), ...defaults];
    assert.deepEqual(pickRuleNumbers(entries, false, 3), { ok: true, numbers: [2, 4, 5] });
    assert.deepEqual(pickRuleNumbers(entries, true, 2), { ok: true, numbers: [1, 2] });
  });

  test('only below the lowest allow rule of that direction', () => {
    const entries = [allow(1, false), allow(3, false), allow(100, true), ...defaults];
    assert.equal(lowestAllowRule(entries, false), 1);
    const r = pickRuleNumbers(entries, false, 1);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : '', /no free inbound rule number below its lowest allow rule \(1\)/);
    const tight = [allow(3, false), deny(1, false, '9.9.9.9/32'), ...defaults];
    assert.deepEqual(pickRuleNumbers(tight, false, 1), { ok: true, numbers: [2] });
    assert.equal(pickRuleNumbers(tight, false, 2).ok, false);
  });

  test('numbers promised to other new entries are skipped', () => {
    assert.deepEqual(pickRuleNumbers([allow(100, false)], false, 2, new Set([1, 2])), { ok: true, numbers: [3, 4] });
  });
});

describe('placeDenyEntries', () => {
  test('inbound and outbound deny-all for every host, IPv4 and IPv6', () => {
    const entries = [allow(100, false), allow(100, true), ...defaults];
    const p = placeDenyEntries(entries, [hostCidr('10.0.1.5'), hostCidr('2001:DB8::5')], 20);
    assert.deepEqual(p, {
      entries: [
        { ruleNumber: 1, egress: false, cidr: '10.0.1.5/32', family: 'ipv4' },
        { ruleNumber: 2, egress: false, cidr: '2001:db8::5/128', family: 'ipv6' },
        { ruleNumber: 1, egress: true, cidr: '10.0.1.5/32', family: 'ipv4' },
        { ruleNumber: 2, egress: true, cidr: '2001:db8::5/128', family: 'ipv6' },
      ],
      alreadyDenied: [],
    });
  });

  test('an existing effective deny for the host is reused, not duplicated', () => {
    const entries = [deny(7, false, '10.0.1.5/32'), allow(100, false), allow(100, true), ...defaults];
    assert.equal(existingDeny(entries, false, '10.0.1.5/32'), 7);
    const p = placeDenyEntries(entries, ['10.0.1.5/32'], 20);
    assert.deepEqual(p.alreadyDenied, [{ ruleNumber: 7, egress: false, cidr: '10.0.1.5/32' }]);
    assert.deepEqual(p.entries, [{ ruleNumber: 1, egress: true, cidr: '10.0.1.5/32', family: 'ipv4' }]);
    // A deny placed after an allow does nothing: not "already denied".
    assert.equal(existingDeny([allow(5, false), deny(7, false, '10.0.1.5/32')], false, '10.0.1.5/32'), undefined);
  });

  test('full ACL (20 IPv4 inbound rules, default included): nothing planned, reason given', () => {
    const entries = [...Array.from({ length: 19 }, (_, i) => allow(100 + i, false, `10.9.${i}.0/24`)), allow(100, true), ...defaults];
    assert.equal(ruleCount(entries, false, 'ipv4'), 20);
    const p = placeDenyEntries(entries, ['10.0.1.5/32'], 20);
    assert.deepEqual(p.entries, []);
    assert.match(p.problem ?? '', /is full: it has 20 inbound IPv4 rules and the quota is 20/);
    // IPv6 rules are counted apart: a raised limit or another family still fits.
    assert.equal(placeDenyEntries(entries, ['10.0.1.5/32'], 40).entries.length, 2);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { camelizeKeys, camelKey } from '../../src/findings/camel-case.js';
import { eksClusterFromTags, isSample } from '../../src/findings/normalise.js';

describe('camelKey: the GuardDuty wire names', () => {
  test('acronyms keep their case after the first letter, as the API does', () => {
    const cases: [string, string][] = [
      ['EcsClusterDetails', 'ecsClusterDetails'],
      ['EksClusterDetails', 'eksClusterDetails'],
      ['IamInstanceProfile', 'iamInstanceProfile'],
      ['Ipv6Addresses', 'ipv6Addresses'],
      ['PrivateIpAddress', 'privateIpAddress'],
      ['IpAddressV4', 'ipAddressV4'],
      ['HostIPC', 'hostIPC'],
      ['HostPID', 'hostPID'],
      ['ETag', 'eTag'],
      ['S3BucketDetails', 's3BucketDetails'],
      ['RdsDbInstanceDetails', 'rdsDbInstanceDetails'],
      ['ExecutableSha256', 'executableSha256'],
    ];
    for (const [pascal, wire] of cases) assert.equal(camelKey(pascal), wire, pascal);
  });

  test('members whose wire name differs from the member name', () => {
    assert.equal(camelKey('TaskCreatedAt'), 'createdAt');
    assert.equal(camelKey('SourceIps'), 'sourceIPs');
    assert.equal(camelKey('DNSLogs'), 'dnsLogs');
    assert.equal(camelKey('Code', 'productCodes'), 'productCodeId');
    assert.equal(camelKey('ProductType', 'productCodes'), 'productCodeType');
    assert.equal(camelKey('Code', 'reason'), 'code', 'only under productCodes');
  });

  test('already camelCase keys are unchanged', () => {
    for (const k of ['ecsClusterDetails', 'hostIPC', 'eTag', 'detail-type', '$metadata']) assert.equal(camelKey(k), k);
  });
});

describe('camelizeKeys', () => {
  test('re-cases keys at every depth and never touches values', () => {
    const out = camelizeKeys({
      Resource: {
        InstanceDetails: { Tags: [{ Key: 'Name', Value: 'Web-01' }], NetworkInterfaces: [{ PrivateIpAddresses: [{ PrivateIpAddress: '10.0.0.1' }] }] },
      },
      Title: 'Keep THIS Value',
    });
    assert.deepEqual(out, {
      resource: {
        instanceDetails: { tags: [{ key: 'Name', value: 'Web-01' }], networkInterfaces: [{ privateIpAddresses: [{ privateIpAddress: '10.0.0.1' }] }] },
      },
      title: 'Keep THIS Value',
    });
  });

  test('keys of data maps are kept verbatim (affectedResources, anomaly profiles and behavior)', () => {
    const out = camelizeKeys({
      Service: {
        Action: { AwsApiCallAction: { AffectedResources: { 'AWS::S3::Bucket': 'b', SomeKey: 'v' } } },
        Detection: {
          Anomaly: {
            Profiles: { '123456789012': { UserAgent: [{ ProfileType: 'FREQUENCY', ProfileSubtype: 'RARE' }] } },
            Unusual: { Behavior: { '123456789012': { UserAgent: { ProfileType: 'FREQUENCY' } } } },
          },
        },
      },
    });
    assert.deepEqual(out, {
      service: {
        action: { awsApiCallAction: { affectedResources: { 'AWS::S3::Bucket': 'b', SomeKey: 'v' } } },
        detection: {
          anomaly: {
            profiles: { '123456789012': { UserAgent: [{ profileType: 'FREQUENCY', profileSubtype: 'RARE' }] } },
            unusual: { behavior: { '123456789012': { UserAgent: { profileType: 'FREQUENCY' } } } },
          },
        },
      },
    });
  });

  test('a __proto__ key in the input cannot change the prototype', () => {
    const out = camelizeKeys(JSON.parse('{"__proto__": {"polluted": true}, "A": 1}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal((out as { polluted?: unknown }).polluted, undefined);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    assert.equal(out.a, 1);
  });
});

describe('EKS cluster of a node, from its tags', () => {
  test('each tag convention', () => {
    assert.equal(eksClusterFromTags([{ key: 'eks:cluster-name', value: 'a' }]), 'a');
    assert.equal(eksClusterFromTags([{ key: 'aws:eks:cluster-name', value: 'b' }]), 'b');
    assert.equal(eksClusterFromTags([{ key: 'alpha.eksctl.io/cluster-name', value: 'c' }]), 'c');
    assert.equal(eksClusterFromTags([{ key: 'kubernetes.io/cluster/d-prod', value: 'owned' }]), 'd-prod');
    assert.equal(eksClusterFromTags([{ key: 'Name', value: 'x' }]), undefined);
    assert.equal(eksClusterFromTags([{ key: 'kubernetes.io/cluster/', value: 'owned' }]), undefined);
  });
});

describe('isSample', () => {
  test('both shapes, and a value that is not JSON', () => {
    assert.equal(isSample({ value: '{"sample":true}' }), true);
    assert.equal(isSample({ value: '{"sample": true, "x": 1}' }), true);
    assert.equal(isSample({ sample: true }), true);
    assert.equal(isSample({ value: '{"sample":true' }), true, 'truncated JSON still says sample');
    assert.equal(isSample({ value: '{"sample":"true"}' }), false);
    assert.equal(isSample({ sample: 'true' }), false);
    assert.equal(isSample(undefined), false);
  });
});

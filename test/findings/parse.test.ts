import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type AppError, isAppError } from '../../src/errors.js';
import { parseFindings, parseFindingsFromText } from '../../src/findings/parse.js';
import { FIXTURES, fixtureFinding, fixtureJson, fixtureText } from '../fixtures/findings/load.js';

function rejects(input: unknown, reason: RegExp): void {
  assert.throws(
    () => (typeof input === 'string' ? parseFindingsFromText(input) : parseFindings(input)),
    (err: unknown) => {
      assert.ok(isAppError(err, 'finding_invalid'), `expected finding_invalid, got ${String(err)}`);
      assert.match((err as AppError).message, reason);
      assert.ok(!(err as AppError).message.includes('\n'), 'reason must be one line');
      return true;
    },
  );
}

describe('parseFindings: every input shape gives the same finding', () => {
  const camel = fixtureFinding(FIXTURES.ecsFargate);

  test('EventBridge event (detail-type "GuardDuty Finding")', () => {
    assert.deepEqual(parseFindingsFromText(fixtureText(FIXTURES.eventBridge)), [camel]);
  });

  test('SNS Notification body whose Message holds the EventBridge event', () => {
    assert.deepEqual(parseFindingsFromText(fixtureText(FIXTURES.snsNotification)), [camel]);
  });

  test('SNS Notification whose Message is the bare finding', () => {
    const body = { Type: 'Notification', MessageId: 'm-1', TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: fixtureText(FIXTURES.ecsFargate) };
    assert.deepEqual(parseFindings(body), [camel]);
  });

  test('PascalCase GetFindings response (SDK/CLI) — including raw, all keys re-cased', () => {
    const [ecs, instance] = parseFindingsFromText(fixtureText(FIXTURES.getFindingsPascal));
    assert.deepEqual(ecs, camel);
    assert.deepEqual(instance, fixtureFinding(FIXTURES.instanceEc2));
  });

  test('camelCase GetFindings response and a bare array of findings', () => {
    const detail = fixtureJson(FIXTURES.ecsFargate);
    assert.deepEqual(parseFindings({ findings: [detail] }), [camel]);
    assert.deepEqual(parseFindings([detail, detail]), [camel, camel]);
  });

  test('a JSON round trip (how the store keeps it) changes nothing', () => {
    for (const name of Object.values(FIXTURES)) {
      const f = fixtureFinding(name);
      assert.deepEqual(JSON.parse(JSON.stringify(f)), f, name);
    }
  });
});

describe('parseFindings: ECS runtime finding', () => {
  const f = fixtureFinding(FIXTURES.ecsFargate);

  test('top-level fields', () => {
    assert.equal(f.id, 'c2c6f0b7e1a94d0f8a5f2e6d4b3a1c90');
    assert.equal(f.accountId, '123456789012');
    assert.equal(f.region, 'us-east-1');
    assert.equal(f.partition, 'aws');
    assert.equal(f.type, 'Execution:Runtime/ReverseShell');
    assert.equal(f.severity, 8);
    assert.equal(f.kind, 'ECSCluster');
    assert.equal(f.resourceType, 'ECSCluster');
    assert.equal(f.count, 3);
    assert.equal(f.archived, false);
    assert.equal(f.sample, false);
    assert.equal(f.createdAt, '2024-05-02T10:47:12.114Z');
    assert.equal(f.updatedAt, '2024-05-02T10:52:40.871Z');
    assert.equal(f.firstSeen, '2024-05-02T10:41:07.000Z');
    assert.equal(f.lastSeen, '2024-05-02T10:44:51.000Z');
    assert.equal(f.featureName, 'RuntimeMonitoring');
    assert.equal(f.detectorId, 'd4c6a1f2e3b4c5d6e7f8091a2b3c4d5e');
  });

  test('cluster, task, service from group, containers with digest', () => {
    assert.deepEqual(f.ecs, {
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod-payments',
      clusterName: 'prod-payments',
      taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod-payments/8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/checkout-api:42',
      launchType: 'FARGATE',
      group: 'service:checkout-api',
      serviceName: 'checkout-api',
      containers: [
        {
          name: 'checkout-api',
          id: '8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e-1234567890',
          image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout-api@sha256:4f1c9b2a7d3e8f6051a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708',
          imageDigest: 'sha256:4f1c9b2a7d3e8f6051a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708',
          imagePrefix: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
          containerRuntime: 'containerd',
          privileged: false,
        },
        {
          name: 'envoy',
          id: '8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e-2345678901',
          image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.27.2.0-prod',
          imagePrefix: 'public.ecr.aws/appmesh',
          containerRuntime: 'containerd',
          privileged: false,
        },
      ],
    });
    assert.equal(f.container, undefined, 'two containers: no single container');
  });

  test('runtime process with lineage', () => {
    assert.equal(f.process?.commandLine, undefined, 'the API has no command line for a process');
    assert.deepEqual(f.process, {
      name: 'bash',
      executablePath: '/usr/bin/bash',
      executableSha256: 'd86b21405852d8642ca41afae9dcf0f532e2d67973b0648b0af7c26933f1becb',
      pid: 2319,
      namespacePid: 57,
      user: 'app',
      userId: 1000,
      euid: 1000,
      pwd: '/app',
      startTime: '2024-05-02T10:41:07.000Z',
      uuid: '7d8c3c1e-0b7f-4b2a-9c1e-3a2f1b0c9d8e',
      lineage: [
        { name: 'python3.12', executablePath: '/usr/local/bin/python3.12', pid: 2287, userId: 1000, euid: 1000 },
        { name: 'gunicorn', executablePath: '/usr/local/bin/python3.12', pid: 1873, userId: 1000, euid: 1000 },
      ],
    });
  });

  test('a task not started by a service keeps its group and has no serviceName', () => {
    const e = fixtureFinding(FIXTURES.ecsEc2).ecs;
    assert.equal(e?.group, 'family:report-worker');
    assert.equal(e?.serviceName, undefined);
    assert.equal(e?.launchType, 'EC2');
    assert.equal(fixtureFinding(FIXTURES.ecsEc2).instance?.instanceId, 'i-0d1e2f3a4b5c6d7e8', 'container instance kept');
  });
});

describe('parseFindings: Instance, EKS and Container findings', () => {
  test('EC2 instance: ENIs with primary and secondary IPs, security groups, tags, profile', () => {
    const f = fixtureFinding(FIXTURES.instanceEc2);
    assert.equal(f.kind, 'Instance');
    const i = f.instance;
    assert.ok(i);
    assert.equal(i.instanceId, 'i-0abc1234def567890');
    assert.equal(i.instanceType, 'c6i.xlarge');
    assert.equal(i.iamInstanceProfileArn, 'arn:aws:iam::123456789012:instance-profile/web-tier');
    assert.equal(i.platform, undefined, 'null platform is dropped');
    assert.equal(i.networkInterfaces.length, 2);
    assert.deepEqual(i.networkInterfaces[0]?.privateIpAddresses, ['10.0.1.15', '10.0.1.16']);
    assert.equal(i.networkInterfaces[0]?.publicIp, '203.0.113.10');
    assert.deepEqual(i.networkInterfaces[0]?.securityGroups, [
      { groupId: 'sg-0aaa1111bbbb2222c', groupName: 'web-public' },
      { groupId: 'sg-0ddd3333eeee4444f', groupName: 'ssm-endpoints' },
    ]);
    assert.deepEqual(i.networkInterfaces[1]?.ipv6Addresses, ['2600:1f14:abc:de00::25']);
    assert.equal(i.networkInterfaces[1]?.subnetId, 'subnet-0b1b2b3b4b5b6b7b8');
    assert.deepEqual(i.tags[0], { key: 'Name', value: 'web-01' });
    assert.equal(i.eksClusterName, undefined);
    assert.deepEqual(
      f.process?.lineage.map((l) => l.name),
      ['bash', 'sshd', 'systemd'],
    );
  });

  test('EKS node: cluster name from its tags', () => {
    const f = fixtureFinding(FIXTURES.instanceEksNode);
    assert.equal(f.kind, 'Instance');
    assert.equal(f.instance?.eksClusterName, 'prod-eks');
    assert.deepEqual(f.instance?.networkInterfaces[0]?.privateIpAddresses, ['172.31.40.12', '172.31.40.87', '172.31.41.3']);
  });

  test('EKS pod: cluster, namespace, pod, node, containers', () => {
    const f = fixtureFinding(FIXTURES.eksPod);
    assert.equal(f.kind, 'EKSCluster');
    assert.deepEqual(f.eks, {
      clusterName: 'prod-eks',
      clusterArn: 'arn:aws:eks:ap-southeast-2:345678901234:cluster/prod-eks',
      namespace: 'media',
      podName: 'image-resizer-6d8f9c7b5-x2kqp',
      podUid: '0b2c4d6e-8f0a-4b1c-9d3e-5f7a9b1c3d5e',
      nodeName: 'ip-172-31-10-45.ap-southeast-2.compute.internal',
      workloadType: 'pods',
      workloadName: 'image-resizer-6d8f9c7b5-x2kqp',
      serviceAccountName: 'image-resizer',
      hostNetwork: false,
      containers: [
        {
          name: 'resizer',
          id: '3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a',
          image: '345678901234.dkr.ecr.ap-southeast-2.amazonaws.com/image-resizer:3.8.0',
          imagePrefix: '345678901234.dkr.ecr.ap-southeast-2.amazonaws.com',
          containerRuntime: 'containerd',
          privileged: true,
        },
      ],
    });
    assert.equal(f.container?.name, 'resizer', 'single container is also f.container');
    assert.equal(f.instance?.instanceId, 'i-0a9b8c7d6e5f40312');
  });

  test('standalone container, command line from the runtime context', () => {
    const f = fixtureFinding(FIXTURES.container);
    assert.equal(f.kind, 'Container');
    assert.deepEqual(f.container, {
      name: 'legacy-cron',
      id: '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b',
      image: 'registry.example.com/ops/legacy-cron:1.0.3',
      imagePrefix: 'registry.example.com/ops',
      containerRuntime: 'docker',
      privileged: false,
    });
    assert.match(f.process?.commandLine ?? '', /^python2\.7 -c exec/);
  });
});

describe('parseFindings: non-runtime findings are valid with generic fields', () => {
  for (const [name, type, resourceType] of [
    [FIXTURES.s3, 'Policy:S3/BucketBlockPublicAccessDisabled', 'S3Bucket'],
    [FIXTURES.iamExfiltration, 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', 'AccessKey'],
    [FIXTURES.rdsLogin, 'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin', 'RDSDBInstance'],
    [FIXTURES.attackSequence, 'AttackSequence:IAM/CompromisedCredentials', 'AccessKey'],
  ] as const) {
    test(type, () => {
      const f = fixtureFinding(name);
      assert.equal(f.kind, 'Other');
      assert.equal(f.type, type);
      assert.equal(f.resourceType, resourceType);
      assert.ok(f.description.length > 0);
      assert.equal(f.ecs ?? f.instance ?? f.eks ?? f.container ?? f.process, undefined);
    });
  }

  test('a finding without resourceType is "Unknown", kind Other', () => {
    const detail = fixtureJson(FIXTURES.iamExfiltration);
    const f = parseFindings({ ...detail, resource: {} })[0];
    assert.equal(f?.resourceType, 'Unknown');
    assert.equal(f?.kind, 'Other');
  });
});

describe('parseFindings: unknown fields and leniency', () => {
  test('unknown fields are kept in raw, camelCased (PascalCase input too)', () => {
    const detail = { ...fixtureJson(FIXTURES.ecsFargate), futureField: { Nested: 1 } };
    const f = parseFindings(detail)[0];
    assert.deepEqual(f?.raw.futureField, { nested: 1 });
    const resource = f?.raw.resource as { ecsClusterDetails: { status: string; runningTasksCount: number } };
    assert.equal(resource.ecsClusterDetails.status, 'ACTIVE');
    assert.equal(resource.ecsClusterDetails.runningTasksCount, 42);

    const pascal = parseFindingsFromText(fixtureText(FIXTURES.getFindingsPascal))[0];
    const service = pascal?.raw.service as { action: { networkConnectionAction: { remoteIpDetails: { geoLocation: unknown } } } };
    assert.deepEqual(service.action.networkConnectionAction.remoteIpDetails.geoLocation, { lat: 52.37, lon: 4.89 });
  });

  test('tag keys and values are data: never re-cased', () => {
    const pascal = {
      Findings: [
        {
          ...pascalMinimal(),
          Resource: {
            ResourceType: 'Instance',
            InstanceDetails: {
              InstanceId: 'i-1',
              Tags: [
                { Key: 'CostCentre', Value: 'FinanceOps' },
                { Key: 'kubernetes.io/cluster/Prod-EKS', Value: 'owned' },
              ],
            },
          },
        },
      ],
    };
    const f = parseFindings(pascal)[0];
    assert.deepEqual(f?.instance?.tags, [
      { key: 'CostCentre', value: 'FinanceOps' },
      { key: 'kubernetes.io/cluster/Prod-EKS', value: 'owned' },
    ]);
    assert.equal(f?.instance?.eksClusterName, 'Prod-EKS');
  });

  test('a malformed optional field is dropped, not fatal', () => {
    const detail = fixtureJson(FIXTURES.ecsFargate) as {
      service: { runtimeDetails: { process: Record<string, unknown> } };
      resource: { ecsClusterDetails: { taskDetails: Record<string, unknown> } };
    };
    detail.service.runtimeDetails.process.pid = 'not-a-number';
    detail.service.runtimeDetails.process.lineage = 'nope';
    detail.resource.ecsClusterDetails.taskDetails.containers = [{ name: 42 }, { name: 'ok' }];
    const f = parseFindings(detail)[0];
    assert.equal(f?.process?.pid, undefined);
    assert.deepEqual(f?.process?.lineage, []);
    assert.deepEqual(
      f?.ecs?.containers.map((c) => c.name),
      [undefined, 'ok'],
    );
  });

  test('missing optional lists do not drop their parent (task without containers, ENI without ipv6)', () => {
    const detail = fixtureJson(FIXTURES.ecsFargate) as { resource: { ecsClusterDetails: { taskDetails: Record<string, unknown> } } };
    delete detail.resource.ecsClusterDetails.taskDetails.containers;
    const f = parseFindings(detail)[0];
    assert.equal(f?.ecs?.taskArn, 'arn:aws:ecs:us-east-1:123456789012:task/prod-payments/8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e');
    assert.deepEqual(f?.ecs?.containers, []);
    assert.equal(fixtureFinding(FIXTURES.injection).instance?.networkInterfaces.length, 1);
  });

  test('timestamps: strings kept as sent, epoch seconds become ISO', () => {
    const detail = fixtureJson(FIXTURES.ecsFargate) as { service: { runtimeDetails: { process: Record<string, unknown> } } };
    detail.service.runtimeDetails.process.startTime = 1714646467;
    assert.equal(parseFindings(detail)[0]?.process?.startTime, '2024-05-02T10:41:07.000Z');
  });

  test('partition from the ARN or region when absent', () => {
    const base = pascalMinimal();
    delete (base as Record<string, unknown>).Partition;
    assert.equal(parseFindings({ ...base, Region: 'cn-north-1', Arn: undefined })[0]?.partition, 'aws-cn');
    assert.equal(parseFindings({ ...base, Region: 'us-gov-west-1', Arn: undefined })[0]?.partition, 'aws-us-gov');
    assert.equal(parseFindings({ ...base, Arn: 'arn:aws-cn:guardduty:cn-north-1:1:detector/x/finding/y' })[0]?.partition, 'aws-cn');
  });
});

describe('parseFindings: sample findings', () => {
  test('additionalInfo.value JSON with "sample": true (API shape)', () => {
    assert.equal(fixtureFinding(FIXTURES.sample).sample, true);
  });

  test('additionalInfo.sample === true (EventBridge sample shape)', () => {
    const detail = fixtureJson(FIXTURES.ecsFargate) as { service: Record<string, unknown> };
    detail.service.additionalInfo = { sample: true, type: 'default' };
    assert.equal(parseFindings(detail)[0]?.sample, true);
  });

  test('not sample: "sample": false, other additionalInfo, or none', () => {
    const detail = fixtureJson(FIXTURES.ecsFargate) as { service: Record<string, unknown> };
    detail.service.additionalInfo = { value: '{"sample":false}', type: 'default' };
    assert.equal(parseFindings(detail)[0]?.sample, false);
    assert.equal(fixtureFinding(FIXTURES.ecsFargate).sample, false);
    assert.equal(fixtureFinding(FIXTURES.ecsEc2).sample, false);
  });

  test('PascalCase AdditionalInfo.Value', () => {
    const f = parseFindings({ ...pascalMinimal(), Service: { AdditionalInfo: { Value: '{"sample":true}', Type: 'default' } } })[0];
    assert.equal(f?.sample, true);
  });
});

describe('parseFindings: anything else is rejected with a one-line reason', () => {
  test('not JSON', () => rejects('{"id": ', /not JSON/));
  test('JSON that is not an object', () => {
    rejects('null', /expected a JSON object, got null/);
    rejects('"text"', /got a string/);
    rejects('42', /got a number/);
  });
  test('an empty object or an unrelated document', () => {
    rejects('{}', /not a GuardDuty finding: missing id/);
    rejects('{"hello":"world"}', /not a GuardDuty finding/);
  });
  test('a finding with a wrong required field', () => {
    const detail = { ...fixtureJson(FIXTURES.ecsFargate), severity: 'HIGH' };
    rejects(detail, /not a valid GuardDuty finding: field severity/);
    const noResource = { ...fixtureJson(FIXTURES.ecsFargate) };
    delete noResource.resource;
    rejects(noResource, /missing resource/);
  });
  test('SNS messages that carry no finding', () => {
    rejects(
      { Type: 'SubscriptionConfirmation', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: 'You have chosen…', Token: 't' },
      /SNS SubscriptionConfirmation message carries no finding/,
    );
    rejects({ Type: 'Notification', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: 'not json' }, /Message is not JSON/);
    rejects({ Type: 'Notification', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: '{"hello":1}' }, /not a GuardDuty finding/);
  });
  test('EventBridge events of another type', () => {
    rejects(
      { 'detail-type': 'GuardDuty Malware Protection Object Scan Result', source: 'aws.guardduty', detail: {} },
      /EventBridge event "GuardDuty Malware Protection Object Scan Result" is not a GuardDuty Finding/,
    );
    rejects({ 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty' }, /no detail object/);
  });
  test('GetFindings responses: empty, or with an invalid entry (the entry is named)', () => {
    rejects({ Findings: [] }, /empty: no finding in input/);
    rejects('[]', /empty/);
    rejects({ Findings: [fixtureJson(FIXTURES.ecsFargate), { Id: 'x' }] }, /^Findings\[1\]: not a GuardDuty finding/);
  });
  test('the reason stays one short line even when the input has newlines', () => {
    rejects({ 'detail-type': 'x\ny'.repeat(200), detail: {} }, /^EventBridge event "x y/);
  });
});

function pascalMinimal(): Record<string, unknown> {
  return {
    Id: 'f0000000000000000000000000000001',
    Arn: 'arn:aws:guardduty:us-east-1:123456789012:detector/d/finding/f0000000000000000000000000000001',
    AccountId: '123456789012',
    Region: 'us-east-1',
    Partition: 'aws',
    Type: 'Recon:EC2/PortProbeUnprotectedPort',
    Severity: 2,
    CreatedAt: '2024-01-01T00:00:00.000Z',
    UpdatedAt: '2024-01-01T00:00:00.000Z',
    SchemaVersion: '2.0',
    Resource: { ResourceType: 'Instance' },
  };
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEksToken, decodeEksToken, EKS_TOKEN_LIFETIME_MS, EKS_TOKEN_PREFIX, PRESIGN_EXPIRES_SECONDS } from '../../src/aws/eks/token.js';

test('EKS token: k8s-aws-v1. + base64url without padding of a presigned regional STS GetCallerIdentity URL with x-k8s-aws-id signed', async () => {
  const at = Date.parse('2026-11-28T10:00:00Z');
  const t = await createEksToken({
    clusterName: 'prod',
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' },
    now: () => at,
  });
  assert.ok(t.token.startsWith(EKS_TOKEN_PREFIX));
  assert.match(t.token.slice(EKS_TOKEN_PREFIX.length), /^[A-Za-z0-9_-]+$/, 'base64url, no padding');
  assert.equal(t.expiresAt, at + EKS_TOKEN_LIFETIME_MS);
  assert.equal(EKS_TOKEN_LIFETIME_MS, 15 * 60_000);
  const url = decodeEksToken(t.token)!;
  assert.equal(url.origin + url.pathname, 'https://sts.eu-west-1.amazonaws.com/');
  const q = url.searchParams;
  assert.deepEqual(
    [q.get('Action'), q.get('Version'), q.get('X-Amz-Algorithm'), q.get('X-Amz-Expires'), q.get('X-Amz-Date')],
    ['GetCallerIdentity', '2011-06-15', 'AWS4-HMAC-SHA256', String(PRESIGN_EXPIRES_SECONDS), '20261128T100000Z'],
  );
  assert.equal(q.get('X-Amz-SignedHeaders'), 'host;x-k8s-aws-id');
  assert.match(q.get('X-Amz-Credential') ?? '', /^AKIDEXAMPLE\/20261128\/eu-west-1\/sts\/aws4_request$/);
  assert.equal(q.get('X-Amz-Security-Token'), 'session');
  assert.match(q.get('X-Amz-Signature') ?? '', /^[0-9a-f]{64}$/);
  const other = await createEksToken({
    clusterName: 'staging',
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' },
    now: () => at,
  });
  assert.notEqual(decodeEksToken(other.token)!.searchParams.get('X-Amz-Signature'), q.get('X-Amz-Signature'), 'the cluster name is signed in');
});

test('decodeEksToken refuses what is not an EKS token', () => {
  assert.equal(decodeEksToken('Bearer abc'), undefined);
  assert.equal(decodeEksToken('k8s-aws-v1.not base64!'), undefined);
});

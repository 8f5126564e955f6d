import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeImageScanFindingsCommand, ECRClient, StartImageScanCommand } from '@aws-sdk/client-ecr';
import { startImageScan, waitForScanFindings, severityText } from '../../../src/aws/ecr/scan.js';
import { isAppError } from '../../../src/errors.js';
import { ACCOUNT, awsError, DIGEST_A, meta, REGION, REPO_URI } from '../helpers.js';

const ecrMock = mockClient(ECRClient);
const clients = { ecr: new ECRClient({ region: REGION }) };
const IMAGE = `${REPO_URI}@${DIGEST_A}`;

beforeEach(() => ecrMock.reset());

describe('startImageScan', () => {
  test('by digest', async () => {
    ecrMock.on(StartImageScanCommand).resolves({ ...meta('r-scan'), imageScanStatus: { status: 'IN_PROGRESS' } });
    const r = await startImageScan(clients, IMAGE);
    assert.deepEqual(ecrMock.commandCalls(StartImageScanCommand)[0]!.args[0].input, {
      registryId: ACCOUNT,
      repositoryName: 'shop/web',
      imageId: { imageDigest: DIGEST_A },
    });
    assert.deepEqual(r, { imageDigest: DIGEST_A, status: 'IN_PROGRESS', requestIds: ['r-scan'] });
  });

  test('LimitExceededException: one scan per image per 24 h, explained', async () => {
    ecrMock.on(StartImageScanCommand).rejects(awsError('LimitExceededException', 'The scan quota per image has been exceeded.'));
    await assert.rejects(
      startImageScan(clients, IMAGE),
      (e: unknown) => isAppError(e, 'aws_scan_unavailable') && e.context.reason === 'scan_limit' && /24 hours/.test(e.message),
    );
  });

  test('ValidationException: enhanced scanning (Inspector) registry, explained', async () => {
    ecrMock.on(StartImageScanCommand).rejects(awsError('ValidationException', 'This feature is disabled'));
    await assert.rejects(
      startImageScan(clients, IMAGE),
      (e: unknown) =>
        isAppError(e, 'aws_scan_unavailable') &&
        e.context.reason === 'enhanced_scanning' &&
        /Amazon Inspector/.test(e.message) &&
        e.context.awsMessage === 'This feature is disabled',
    );
  });
});

describe('waitForScanFindings', () => {
  test('polls with the injected sleep until COMPLETE and summarises severities', async () => {
    ecrMock
      .on(DescribeImageScanFindingsCommand)
      .rejectsOnce(awsError('ScanNotFoundException'))
      .resolvesOnce({ imageScanStatus: { status: 'IN_PROGRESS' } })
      .resolves({
        ...meta('r-done'),
        imageScanStatus: { status: 'COMPLETE', description: 'The scan was completed successfully.' },
        imageScanFindings: { findingSeverityCounts: { HIGH: 5, CRITICAL: 2, LOW: 1 }, imageScanCompletedAt: new Date('2025-03-01T00:00:00Z') },
      });
    const sleeps: number[] = [];
    const r = await waitForScanFindings(clients, IMAGE, { sleep: async (ms) => void sleeps.push(ms), intervalMs: 3000, maxPolls: 10 });
    assert.deepEqual(sleeps, [3000, 3000]);
    assert.equal(ecrMock.commandCalls(DescribeImageScanFindingsCommand).length, 3);
    assert.deepEqual(ecrMock.commandCalls(DescribeImageScanFindingsCommand)[0]!.args[0].input, {
      registryId: ACCOUNT,
      repositoryName: 'shop/web',
      imageId: { imageDigest: DIGEST_A },
      maxResults: 1,
    });
    assert.equal(r.status, 'COMPLETE');
    assert.equal(r.complete, true);
    assert.equal(r.total, 8);
    assert.equal(r.text, '2 CRITICAL, 5 HIGH, 1 LOW');
    assert.equal(r.completedAt, '2025-03-01T00:00:00.000Z');
    assert.equal(r.polls, 3);
  });

  test('enhanced scanning reports ACTIVE with Inspector counts', async () => {
    ecrMock
      .on(DescribeImageScanFindingsCommand)
      .resolves({ imageScanStatus: { status: 'ACTIVE' }, imageScanFindings: { findingSeverityCounts: { MEDIUM: 3 } } });
    const r = await waitForScanFindings(clients, IMAGE, { sleep: async () => {} });
    assert.equal(r.complete, true);
    assert.equal(r.text, '3 MEDIUM');
  });

  test('gives up after maxPolls without sleeping after the last poll', async () => {
    ecrMock.on(DescribeImageScanFindingsCommand).resolves({ imageScanStatus: { status: 'IN_PROGRESS' } });
    const sleeps: number[] = [];
    const r = await waitForScanFindings(clients, IMAGE, { sleep: async (ms) => void sleeps.push(ms), maxPolls: 3, intervalMs: 10 });
    assert.equal(r.timedOut, true);
    assert.equal(r.text, 'scan still in progress');
    assert.deepEqual(sleeps, [10, 10]);
  });

  test('severityText with no findings', () => assert.equal(severityText({}), 'no findings'));
});

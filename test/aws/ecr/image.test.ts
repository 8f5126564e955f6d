import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchDeleteImageCommand, BatchGetImageCommand, DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ACCEPTED_MANIFEST_MEDIA_TYPES, deleteImage, getImageEvidence, resolveEcrImage } from '../../../src/aws/ecr/image.js';
import { isAppError } from '../../../src/errors.js';
import { ACCOUNT, awsError, DIGEST_A, meta, REGION, REPO_URI } from '../helpers.js';

const ecrMock = mockClient(ECRClient);
const clients = { ecr: new ECRClient({ region: REGION }) };
const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [] });
const manifestDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;

beforeEach(() => ecrMock.reset());

describe('resolveEcrImage', () => {
  test('an image outside ECR cannot be quarantined, and the message says what to do instead', () => {
    assert.throws(
      () => resolveEcrImage('nginx:1.25'),
      (e: unknown) =>
        isAppError(e, 'aws_image_not_in_ecr') && /not in Amazon ECR \(it comes from docker\.io\)/.test(e.message) && /pin the services/.test(e.message),
    );
  });
});

describe('getImageEvidence', () => {
  test('BatchGetImage by digest with docker v2 / OCI media types, tags from DescribeImages, manifest digest verified', async () => {
    ecrMock.on(BatchGetImageCommand).resolves({
      ...meta('r-get'),
      images: [
        {
          registryId: ACCOUNT,
          repositoryName: 'shop/web',
          imageId: { imageDigest: manifestDigest },
          imageManifest: manifest,
          imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
        },
      ],
      failures: [],
    });
    ecrMock.on(DescribeImagesCommand).resolves({
      ...meta('r-desc'),
      imageDetails: [{ imageDigest: manifestDigest, imageTags: ['latest', '1.0'], imagePushedAt: new Date('2025-02-01T00:00:00Z'), imageSizeInBytes: 1234 }],
    });

    const ev = await getImageEvidence(clients, `${REPO_URI}:1.0@${manifestDigest}`);

    assert.deepEqual(ecrMock.commandCalls(BatchGetImageCommand)[0]!.args[0].input, {
      registryId: ACCOUNT,
      repositoryName: 'shop/web',
      imageIds: [{ imageDigest: manifestDigest }],
      acceptedMediaTypes: [...ACCEPTED_MANIFEST_MEDIA_TYPES],
    });
    assert.ok(ACCEPTED_MANIFEST_MEDIA_TYPES.includes('application/vnd.docker.distribution.manifest.v2+json'));
    assert.ok(ACCEPTED_MANIFEST_MEDIA_TYPES.includes('application/vnd.oci.image.index.v1+json'));
    assert.deepEqual(ecrMock.commandCalls(DescribeImagesCommand)[0]!.args[0].input, {
      registryId: ACCOUNT,
      repositoryName: 'shop/web',
      imageIds: [{ imageDigest: manifestDigest }],
    });
    assert.equal(ev.manifest, manifest);
    assert.deepEqual(ev.manifestJson, JSON.parse(manifest));
    assert.equal(ev.manifestDigestMatches, true);
    assert.equal(ev.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.deepEqual(ev.tags, ['1.0', 'latest']);
    assert.equal(ev.pushedAt, '2025-02-01T00:00:00.000Z');
    assert.deepEqual(ev.requestIds, ['r-get', 'r-desc']);
  });

  test('tag only: resolved to its digest first', async () => {
    ecrMock.on(DescribeImagesCommand, { imageIds: [{ imageTag: '1.0' }] }).resolves({ imageDetails: [{ imageDigest: DIGEST_A }] });
    ecrMock.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageDigest: DIGEST_A }, imageManifest: '{}' }] });
    ecrMock.on(DescribeImagesCommand, { imageIds: [{ imageDigest: DIGEST_A }] }).resolves({ imageDetails: [{ imageDigest: DIGEST_A }] });
    const ev = await getImageEvidence(clients, `${REPO_URI}:1.0`);
    assert.equal(ev.imageDigest, DIGEST_A);
    assert.equal(ev.manifestDigestMatches, false);
    assert.deepEqual(ecrMock.commandCalls(BatchGetImageCommand)[0]!.args[0].input.imageIds, [{ imageDigest: DIGEST_A }]);
  });

  test('image not found (failures[]) → aws_not_found; repository missing → aws_not_found', async () => {
    ecrMock
      .on(BatchGetImageCommand)
      .resolves({ images: [], failures: [{ imageId: { imageDigest: DIGEST_A }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }] });
    await assert.rejects(getImageEvidence(clients, `${REPO_URI}@${DIGEST_A}`), (e: unknown) => isAppError(e, 'aws_not_found'));
    ecrMock.on(BatchGetImageCommand).rejects(awsError('RepositoryNotFoundException'));
    await assert.rejects(getImageEvidence(clients, `${REPO_URI}@${DIGEST_A}`), (e: unknown) => isAppError(e, 'aws_not_found'));
  });

  test('an image in another Region is refused before any call', async () => {
    await assert.rejects(
      getImageEvidence(clients, `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop/web@${DIGEST_A}`),
      (e: unknown) => isAppError(e, 'action_invalid') && /us-east-1/.test(e.message),
    );
    assert.equal(ecrMock.calls().length, 0);
  });
});

describe('deleteImage', () => {
  test('BatchDeleteImage by digest; failures reported with advice', async () => {
    ecrMock.on(BatchDeleteImageCommand).resolves({
      ...meta('r-del'),
      imageIds: [{ imageDigest: DIGEST_A, imageTag: '1.0' }],
      failures: [
        { imageId: { imageDigest: DIGEST_A }, failureCode: 'ImageReferencedByManifestList', failureReason: 'Requested image referenced by manifest list' },
      ],
    });
    const r = await deleteImage(clients, `${REPO_URI}:1.0@${DIGEST_A}`);
    assert.deepEqual(ecrMock.commandCalls(BatchDeleteImageCommand)[0]!.args[0].input, {
      registryId: ACCOUNT,
      repositoryName: 'shop/web',
      imageIds: [{ imageDigest: DIGEST_A }],
    });
    assert.deepEqual(r.deleted, [{ imageDigest: DIGEST_A, imageTag: '1.0' }]);
    assert.equal(r.failures[0]!.code, 'ImageReferencedByManifestList');
    assert.match(r.failures[0]!.reason, /delete the index/);
    assert.deepEqual(r.requestIds, ['r-del']);
  });

  test('AccessDenied names ecr:BatchDeleteImage', async () => {
    ecrMock.on(BatchDeleteImageCommand).rejects(awsError('AccessDeniedException'));
    await assert.rejects(
      deleteImage(clients, `${REPO_URI}@${DIGEST_A}`),
      (e: unknown) => isAppError(e, 'aws_access_denied') && /Add ecr:BatchDeleteImage to its policy/.test(e.message),
    );
  });
});

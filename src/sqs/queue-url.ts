/**
 * Facts read from an SQS queue URL. The SDK sends each request to the queue URL's own host, so
 * the client's region must match that host when it is an AWS one (SigV4 signs the region).
 */
import { REGION_PATTERN } from '../aws/ids.js';

/** `https://sqs.<region>.amazonaws.com/…` (and `.amazonaws.com.cn`), plus the legacy `<region>.queue.amazonaws.com`. */
const AWS_SQS_HOST = new RegExp(`^(?:sqs\\.(${REGION_PATTERN})|(${REGION_PATTERN})\\.queue)\\.amazonaws\\.com(?:\\.cn)?$`);

export interface QueueRef {
  readonly url: string;
  /** Region the client signs for: from an AWS host, else the configured default. */
  readonly region: string;
  readonly accountId: string;
  readonly name: string;
  /** `arn:aws:sqs:<region>:<account>:<name>`: recorded as the inbox entry's source. */
  readonly arn: string;
}

/** The Region of an AWS queue URL's host; undefined for another host (a local double, LocalStack…). */
export function queueUrlRegion(url: string): string | undefined {
  try {
    const m = AWS_SQS_HOST.exec(new URL(url).hostname);
    return m ? (m[1] ?? m[2])! : undefined;
  } catch {
    return undefined;
  }
}

export function parseQueueUrl(url: string, fallbackRegion: string): QueueRef {
  const u = new URL(url);
  const m = AWS_SQS_HOST.exec(u.hostname);
  const region = m ? (m[1] ?? m[2])! : fallbackRegion;
  const [, accountId = '', name = ''] = u.pathname.split('/');
  const partition = u.hostname.endsWith('.amazonaws.com.cn') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return { url, region, accountId, name, arn: `arn:${partition}:sqs:${region}:${accountId}:${name}` };
}

import type { Finding } from '../findings/model.js';
import { MAX_BUTTON_URL } from './limits.js';
import { REGION_RE } from '../aws/ids.js';

/**
 * Deep link to the finding in the GuardDuty console, per partition:
 * aws → https://<region>.console.aws.amazon.com, aws-cn → https://console.amazonaws.cn,
 * aws-us-gov → https://console.amazonaws-us-gov.com. The region only reaches the hostname when it
 * looks like a region (the finding is untrusted input: "evil.example/#" must not redirect the link);
 * the id is URL-encoded.
 */
export function consoleUrl(f: Pick<Finding, 'id' | 'region' | 'partition'>): string {
  const region = REGION_RE.test(f.region) ? f.region : undefined;
  let base: string;
  if (f.partition === 'aws-cn' || region?.startsWith('cn-')) base = 'https://console.amazonaws.cn';
  else if (f.partition === 'aws-us-gov' || region?.startsWith('us-gov-')) base = 'https://console.amazonaws-us-gov.com';
  else base = region ? `https://${region}.console.aws.amazon.com` : 'https://console.aws.amazon.com';
  const page = `${base}/guardduty/home${region ? `?region=${region}` : ''}#/findings?macros=current`;
  const url = `${page}&fId=${encodeURIComponent(f.id)}`;
  return url.length <= MAX_BUTTON_URL ? url : page;
}

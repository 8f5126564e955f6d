/**
 * The bearer token EKS accepts, made the way `aws eks get-token` makes it: a presigned STS
 * `GetCallerIdentity` URL for the regional STS host with the `x-k8s-aws-id: <cluster>` header
 * signed in, base64url-encoded without padding, prefixed `k8s-aws-v1.`. The API server's
 * authenticator (aws-iam-authenticator) calls that URL to learn who we are; the signed header
 * stops a token made for one cluster from being replayed against another.
 *
 * No kubeconfig file and no exec plugin: the credentials are the same ones the app's EKS client
 * uses for the finding's account, so the organization-aware credential choice applies here too.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** What `aws eks get-token` presigns with; the authenticator ignores it and applies its own limit. */
export const PRESIGN_EXPIRES_SECONDS = 60;
/** aws-iam-authenticator accepts a token for 15 minutes from its X-Amz-Date. */
export const EKS_TOKEN_LIFETIME_MS = 15 * 60_000;
/** Refresh this long before expiry so a request in flight never carries a dying token. */
export const EKS_TOKEN_REFRESH_MARGIN_MS = 2 * 60_000;
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';

export interface EksToken {
  token: string;
  /** Epoch ms after which the cluster refuses it. */
  expiresAt: number;
}

export interface TokenInput {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  now: () => number;
}

/** RFC 3986 encoding, as SigV4 canonicalises query strings. */
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export async function createEksToken(input: TokenInput): Promise<EksToken> {
  const hostname = `sts.${input.region}.amazonaws.com`;
  const signer = new SignatureV4({ service: 'sts', region: input.region, credentials: input.credentials, sha256: Sha256 });
  const signedAt = input.now();
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, [CLUSTER_ID_HEADER]: input.clusterName },
    },
    { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate: new Date(signedAt) },
  );
  const query = Object.entries(presigned.query ?? {})
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(String(v))}`)
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return { token: EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url'), expiresAt: signedAt + EKS_TOKEN_LIFETIME_MS };
}

/** The presigned URL inside a token, or undefined when it is not one (tests, the double). */
export function decodeEksToken(token: string): URL | undefined {
  if (!token.startsWith(EKS_TOKEN_PREFIX)) return undefined;
  const body = token.slice(EKS_TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
  try {
    return new URL(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

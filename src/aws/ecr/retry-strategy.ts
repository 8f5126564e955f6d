/**
 * ECR answers `LimitExceededException` for quotas (one basic scan per image per 24 h, repository
 * counts), and the SDK's standard retry treats that name as throttling: it would retry, with
 * backoff, a refusal that cannot succeed before the responder sees it. This strategy is the
 * SDK's standard one (same attempts, backoff and retry quota) except that it gives up on that
 * error at once. Passed as the ECR client's `retryStrategy`.
 */
import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, StandardRetryToken } from '@smithy/types';

export const ECR_QUOTA_ERROR = 'LimitExceededException';

export class NoQuotaRetryStrategy extends StandardRetryStrategy {
  override async refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<StandardRetryToken> {
    if (errorInfo.error?.name === ECR_QUOTA_ERROR) throw errorInfo.error;
    return super.refreshRetryTokenForRetry(token, errorInfo);
  }
}

/**
 * Typed errors with stable codes. Every boundary (HTTP handler, Slack handler, AWS adapter)
 * normalises unknown errors into one of these so logs and user messages stay predictable.
 */
export type ErrorCode =
  | 'config_invalid'
  | 'sns_body_too_large'
  | 'sns_body_invalid'
  | 'sns_type_unsupported'
  | 'sns_topic_not_allowed'
  | 'sns_cert_url_invalid'
  | 'sns_cert_unavailable'
  | 'sns_signature_invalid'
  | 'sns_timestamp_invalid'
  | 'sns_cert_invalid'
  | 'sns_subscribe_url_invalid'
  | 'sns_confirm_failed'
  | 'finding_invalid'
  | 'store_unavailable'
  | 'slack_unavailable'
  /** Another replica is processing a message about the same finding right now (retry shortly). */
  | 'finding_busy'
  | 'slack_rejected'
  | 'not_authorized'
  | 'aws_access_denied'
  | 'aws_throttled'
  | 'aws_not_found'
  | 'aws_error'
  | 'aws_image_not_in_ecr'
  | 'aws_scan_unavailable'
  | 'aws_ssm_unavailable'
  | 'aws_guardduty_disabled'
  | 'k8s_unauthorized'
  | 'k8s_forbidden'
  | 'k8s_not_found'
  | 'k8s_error'
  | 'aws_role_denied'
  | 'aws_identity_unknown'
  | 'account_not_allowed'
  | 'region_not_allowed'
  | 'action_invalid'
  | 'action_conflict';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly context: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.context = options.context ?? {};
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/** A short, safe description of any thrown value, for logs (never a stack for users). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

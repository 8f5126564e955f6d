/**
 * Topic allowlist. Anyone can subscribe our URL to a topic in *their* account and SNS will sign
 * what they publish: a valid signature proves "sent by SNS", not "sent by our topic". Only the
 * TopicArn (covered by the signature) ties a message to us, so it must match exactly.
 */
import { AppError } from '../errors.js';

export function assertTopicAllowed(topicArn: string, allowed: readonly string[]): void {
  if (!allowed.includes(topicArn)) {
    throw new AppError('sns_topic_not_allowed', 'SNS topic is not in the allowlist', {
      context: { topicArn: topicArn.slice(0, 300) },
    });
  }
}

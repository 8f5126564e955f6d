/**
 * STS GetCallerIdentity for a single-account double (awsQuery, Version 2011-06-15): the app
 * reads its own account at start. Role sessions (AssumeRole) live in ./organization.ts, the
 * front of a multi-account double.
 */
import type { QueryServiceDefinition } from '../service.js';

export const STS_API_VERSION = '2011-06-15';
export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function stsService(principal: string): QueryServiceDefinition {
  return {
    name: 'sts',
    protocol: 'awsQuery',
    version: STS_API_VERSION,
    xmlns: STS_XMLNS,
    operations: {
      GetCallerIdentity: (_p, ctx) => ({ Account: ctx.accountId, Arn: principal, UserId: 'AROADOUBLE:responder' }),
    },
  };
}

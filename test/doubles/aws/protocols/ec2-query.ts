/**
 * The ec2Query protocol on the wire: POST form `Action=<Op>&Version=2016-11-15&…`, XML responses
 * `<OpResponse xmlns=…><requestId>…</requestId>…</OpResponse>` and errors
 * `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`.
 * The SDK reads `$metadata.requestId` only from the `x-amzn-RequestId` header (EC2 sends both).
 */
import type { ServerResponse } from 'node:http';
import { AwsServiceError } from '../service.js';
import { escapeXml, writeXml, type XmlObject } from './xml.js';

export function parseForm(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  return out;
}

export function sendEc2(res: ServerResponse, op: string, version: string, requestId: string, result: XmlObject): number {
  const parts = [
    `<?xml version="1.0" encoding="UTF-8"?>\n<${op}Response xmlns="http://ec2.amazonaws.com/doc/${version}/">`,
    `<requestId>${requestId}</requestId>`,
  ];
  writeXml(result, parts);
  parts.push(`</${op}Response>`);
  const text = parts.join('');
  res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return 200;
}

export function sendEc2Error(res: ServerResponse, requestId: string, err: AwsServiceError): number {
  const text =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(err.code)}</Code>` +
    `<Message>${escapeXml(err.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  res.writeHead(err.status, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return err.status;
}

export const ec2Faults = {
  /** EC2 throttles with HTTP 503 RequestLimitExceeded (not ThrottlingException). */
  throttle: () => new AwsServiceError('RequestLimitExceeded', 'Request limit exceeded.', 503),
  /** EC2's IAM deny: HTTP 403 UnauthorizedOperation with an encoded authorization message. */
  deny: (action: string, principal: string, resource: string) =>
    new AwsServiceError(
      'UnauthorizedOperation',
      `You are not authorized to perform this operation. User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action. Encoded authorization failure message: ${Buffer.from(action).toString('base64url')}`,
      403,
    ),
  unknownOperation: (op: string) => new AwsServiceError('InvalidAction', `The action ${op} is not valid for this web service.`, 400),
};

/**
 * The awsQuery protocol (Auto Scaling 2011-01-01, ELBv2 2015-12-01, IAM, STS…) on the wire. The
 * request is the same form as ec2Query (`Action=…&Version=…`) but lists are `Name.member.N`;
 * the response differs from EC2's:
 *
 *   <OpResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">
 *     <OpResult> …members, PascalCase, lists as <member>… </OpResult>
 *     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
 *   </OpResponse>
 *
 * and errors are `<ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/>`.
 * The SDK maps a modelled error's wire code (`ResourceContention`, `TargetGroupNotFound`) to its
 * exception name (`ResourceContentionFault`, `TargetGroupNotFoundException`); unmodelled codes
 * (`ValidationError`, `AccessDenied`, `Throttling`) become the name as they are.
 */
import type { ServerResponse } from 'node:http';
import { AwsServiceError } from '../service.js';
import { escapeXml, type XmlObject, type XmlScalar, type XmlValue } from './xml.js';

function scalar(v: XmlScalar): string {
  if (v instanceof Date) return v.toISOString();
  return escapeXml(String(v));
}

/** Like ./xml.ts, but every list item is a `<member>` (awsQuery), not an `<item>` (ec2Query). */
export function writeQueryXml(obj: XmlObject, out: string[] = []): string[] {
  for (const key of Object.keys(obj)) writeElement(key, obj[key], out);
  return out;
}

function writeElement(name: string, v: XmlValue, out: string[]): void {
  if (v === undefined || v === null) return;
  if (Array.isArray(v)) {
    out.push(`<${name}>`);
    for (const item of v) writeElement('member', item, out);
    out.push(`</${name}>`);
  } else if (typeof v === 'object' && !(v instanceof Date)) {
    out.push(`<${name}>`);
    writeQueryXml(v, out);
    out.push(`</${name}>`);
  } else {
    out.push(`<${name}>${scalar(v)}</${name}>`);
  }
}

export function sendQuery(res: ServerResponse, op: string, xmlns: string, requestId: string, result: XmlObject | undefined): number {
  const parts = [`<?xml version="1.0" encoding="UTF-8"?>\n<${op}Response xmlns="${xmlns}">`];
  // Operations with an empty output (SetInstanceProtection, DeregisterTargets…) still send <OpResult/>.
  parts.push(`<${op}Result>`);
  writeQueryXml(result ?? {}, parts);
  parts.push(`</${op}Result>`, `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`, `</${op}Response>`);
  const text = parts.join('');
  res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return 200;
}

export function sendQueryError(res: ServerResponse, xmlns: string, requestId: string, err: AwsServiceError): number {
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  const text =
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;
  res.writeHead(err.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return err.status;
}

/** awsQuery services name their throttling error differently: Auto Scaling `Throttling`, ELB `Throttling` too. */
export function queryFaults(throttleCode = 'Throttling') {
  return {
    throttle: () => new AwsServiceError(throttleCode, 'Rate exceeded', 400),
    /** IAM deny as awsQuery services word it: HTTP 403 `AccessDenied`. */
    deny: (action: string, principal: string, resource: string) =>
      new AwsServiceError(
        'AccessDenied',
        `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
        403,
      ),
    unknownOperation: (op: string) => new AwsServiceError('InvalidAction', `Could not find operation ${op} for version`, 400),
  };
}

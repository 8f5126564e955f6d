/** Shared doubles for the SNS unit tests (not a test file itself). */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FetchLike } from '../../src/sns/http.js';
import { TEST_SIGNING_CERT_PEM } from '../helpers/sns-signer.js';

export const TOPIC = 'arn:aws:sns:us-east-1:123456789012:guardduty-findings';
export const FOREIGN_TOPIC = 'arn:aws:sns:us-east-1:999999999999:attacker-topic';
export const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123abcd.pem';
/** A fixed clock inside the test certificate's validity (2000 – 2125). */
export const NOW = Date.parse('2026-03-01T12:00:00.000Z');

export interface RecordingFetch {
  fetch: FetchLike;
  calls: { url: string; init: RequestInit | undefined }[];
}

/** An injected fetch that records every call and answers with `respond`. */
export function recordingFetch(respond: (url: string) => Response | Promise<Response>): RecordingFetch {
  const calls: RecordingFetch['calls'] = [];
  return {
    calls,
    fetch: async (input, init) => {
      const url = String(input);
      calls.push({ url, init });
      return respond(url);
    },
  };
}

/** A fetch that serves the test certificate for any URL. */
export function certFetch(pem = TEST_SIGNING_CERT_PEM): RecordingFetch {
  return recordingFetch(() => new Response(pem, { status: 200 }));
}

/** A loopback HTTP server on 127.0.0.1:0; `close()` also drops open sockets. */
export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ origin: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * SNS ingestion benchmark: notifications accepted per second and p50/p99 latency (signature
 * checked, stored durably, 200) at 50 concurrent connections, against a bare node:http handler
 * answering the same requests with 200 in the same run. Server and load generator run in
 * separate processes (the machine has 2 cores).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { createSnsSigner } from '../test/helpers/sns-signer.js';

export const CONNECTIONS = 50;
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:guardduty-bench';

export interface SnsBenchRow {
  target: string;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function startTarget(mode: 'app' | 'bare', env: Record<string, string>): Promise<{ port: number; child: ChildProcess }> {
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', new URL('./sns-target.ts', import.meta.url).pathname, mode], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    rl.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${mode} target exited ${code}`)));
  });
  return { port, child };
}

async function load(port: number, bodies: string[], amount: number): Promise<SnsBenchRow & { target: string }> {
  let i = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    amount,
    requests: [
      {
        method: 'POST',
        path: '/sns',
        headers: { 'content-type': 'text/plain; charset=UTF-8' },
        setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }),
      },
    ],
  });
  return {
    target: '',
    requests: result.requests.total,
    perSecond: result.requests.total / (result.duration || 1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

export async function runSnsBench(opts: { requests?: number } = {}): Promise<SnsBenchRow[]> {
  const amount = opts.requests ?? 5000;
  const signer = createSnsSigner();
  const certs = await signer.serveCertificate();
  const finding = JSON.parse(readFileSync(new URL('../test/fixtures/findings/eventbridge-ecs-fargate.json', import.meta.url), 'utf8')) as unknown;
  const warm = 500;
  // Unique MessageIds: every request is a new message that must be verified and stored.
  const bodies = Array.from({ length: amount + warm }, (_, n) =>
    JSON.stringify(signer.notification({ topicArn: TOPIC, certUrl: certs.certUrl, message: finding, messageId: `bench-${n}-${process.pid}` })),
  );
  const env = { BENCH_TOPIC_ARN: TOPIC, BENCH_CERT_PATTERN: certs.pattern };
  const rows: SnsBenchRow[] = [];
  try {
    for (const mode of ['bare', 'app'] as const) {
      const t = await startTarget(mode, env);
      try {
        await load(t.port, bodies.slice(amount), warm);
        const row = await load(t.port, bodies.slice(0, amount), amount);
        rows.push({ ...row, target: mode === 'bare' ? 'bare node:http 200' : 'POST /sns (verify + store + 200)' });
      } finally {
        t.child.kill('SIGINT');
        await new Promise((r) => t.child.once('exit', r));
      }
    }
  } finally {
    await certs.close();
  }
  return rows;
}

/**
 * Alert storm (issue 12): 1,000 Low findings on distinct resources, then one Critical, against the
 * loopback Slack double enforcing 1 chat.postMessage per second per channel (429 + Retry-After
 * beyond). The storm piles up while Slack is unreachable, then drains: the whole backlog is
 * present at once (the worst case). Runs on the app's injected clock (pacing sleeps advance it
 * instantly), so minutes of Slack time take seconds of wall time. Baseline: the same storm with
 * STORM_DIGEST=off.
 */
import { readFileSync } from 'node:fs';
import { startHarness } from '../test/helpers/harness.js';
import type { EditableJson } from '../test/fixtures/findings/load.js';

export const STORM_LOWS = 1_000;
const WINDOW_MS = 120_000;

const base = JSON.parse(readFileSync(new URL('../test/fixtures/findings/eventbridge-ecs-fargate.json', import.meta.url), 'utf8')) as EditableJson;

function finding(i: number, severity: number): EditableJson {
  const e = structuredClone(base);
  const hex = i.toString(16).padStart(32, '0');
  e.detail.id = `5${hex.slice(1)}`;
  e.detail.severity = severity;
  const task = e.detail.resource.ecsClusterDetails.taskDetails;
  task.arn = `arn:aws:ecs:us-east-1:123456789012:task/prod-payments/${hex}`;
  task.definitionArn = `arn:aws:ecs:us-east-1:123456789012:task-definition/batch-${i}:1`;
  task.group = `service:batch-${i}`;
  task.containers = [{ ...task.containers[0], name: `batch-${i}`, image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/batch-${i}@sha256:${hex}${hex}` }];
  return e;
}

export interface StormFigures {
  digest: boolean;
  criticalSeconds: number;
  topLevelFirstTwoMinutes: number;
  allReachableSeconds: number;
  throttled: number;
  wallSeconds: number;
}

export async function runStorm(digest: boolean): Promise<StormFigures> {
  const started = performance.now();
  const h = await startHarness({ env: { STORM_DIGEST: digest ? 'on' : 'off', LOG_LEVEL: 'error' } });
  try {
    h.slack.limitPostsPerChannel(() => h.clock.now());
    h.slack.setDown({ status: 500 });
    for (let i = 1; i <= STORM_LOWS; i++) await h.publish(finding(i, 2));
    const critical = finding(STORM_LOWS + 1, 9.5);
    await h.publish(critical);
    h.slack.setDown(undefined);
    const t0 = h.clock.now();
    h.responder.inbox.kick();
    await h.settle();
    const posts = h.slack.callsTo('chat.postMessage').filter((c) => c.ts && c.at !== undefined);
    const criticalPost = posts.find((c) => JSON.stringify(c.args.blocks).includes(critical.detail.id as string));
    const topLevel = posts.filter((c) => !c.args.thread_ts && c.at! - t0 <= WINDOW_MS).length;
    let reachableAt: number;
    if (digest) {
      // Every folded finding is reachable once a digest message counts all of them (its menu and
      // `/guardduty show` open any of them).
      const full = new RegExp(`${STORM_LOWS} lower-severity GuardDuty findings`);
      const shown = h.slack.calls.find((c) => (c.method === 'chat.update' || c.method === 'chat.postMessage') && full.test(String(c.args.text)));
      reachableAt = shown?.at ?? Number.NaN;
    } else {
      reachableAt = Math.max(...posts.map((c) => c.at!));
    }
    return {
      digest,
      criticalSeconds: criticalPost ? (criticalPost.at! - t0) / 1000 : Number.NaN,
      topLevelFirstTwoMinutes: topLevel,
      allReachableSeconds: (reachableAt - t0) / 1000,
      throttled: h.slack.throttled.count,
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await h.close();
  }
}

export async function runStormBench(): Promise<StormFigures[]> {
  return [await runStorm(true), await runStorm(false)];
}

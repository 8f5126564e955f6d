/**
 * `npm run bench`: every benchmark the issues ask for, each next to its baseline measured in the
 * same run. Figures are printed as a table; the README quotes one run.
 */
import { runSnsBench } from './sns.js';
import { runSweepBench, CLUSTERS, TASKS } from './sweep.js';
import { runSqsBench, SQS_MESSAGES } from './sqs.js';
import { runEksBench, EKS_CLUSTERS, PODS_PER_CLUSTER, API_LATENCY_MS, CLUSTER_CONCURRENCY } from './eks.js';
import { runStormBench, STORM_LOWS } from './storm.js';
import { runOrgSweepBench, ORG_ACCOUNTS, ORG_CLUSTERS, ORG_REGIONS, ORG_TASKS_PER_CLUSTER } from './org-sweep.js';

const only = process.argv[2];

if (!only || only === 'sns') {
  const rows = await runSnsBench();
  console.log('\n## SNS ingestion (50 concurrent connections)\n');
  console.log('| target | requests | req/s | p50 ms | p99 ms | non-2xx |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.target} | ${r.requests} | ${r.perSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.non2xx} |`);
  const [bare, app] = rows;
  if (bare && app)
    console.log(`\nratio app/bare throughput: ${(app.perSecond / bare.perSecond).toFixed(2)} (goal ≥ 0.33); app p99 ${app.p99} ms (goal < 20 ms)`);
}

if (!only || only === 'sweep') {
  const b = await runSweepBench();
  console.log(`\n## Blast-radius sweep: ${CLUSTERS} clusters, ${TASKS} running tasks, ECS rate limits enforced by the double\n`);
  console.log('| figure | measured | baseline | ratio | goal |');
  console.log('|---|---:|---:|---:|---|');
  console.log(`| sweep API calls | ${b.calls} | ${b.minimum} (minimum for the page sizes) | ${(b.calls / b.minimum).toFixed(2)} | 1.00 |`);
  console.log(
    `| sweep wall time | ${b.seconds.toFixed(2)} s | ${b.floorSeconds.toFixed(2)} s (rate-limit floor) | ${(b.seconds / b.floorSeconds).toFixed(2)} | ≤ 1.25 |`,
  );
  console.log(
    `| stop ${b.stop.tasks} tasks | ${b.stop.seconds.toFixed(2)} s | ${b.stop.floorSeconds.toFixed(2)} s (StopTask floor) | ${(b.stop.seconds / b.stop.floorSeconds).toFixed(2)} | ≤ 1.25 |`,
  );
  console.log(`\nmatches found: ${b.matches}; throttled calls: sweep ${b.throttled}, stop ${b.stop.throttled}; stop failures: ${b.stop.failures}`);
}

if (!only || only === 'sqs') {
  const rows = await runSqsBench();
  console.log(`\n## SQS intake of ${SQS_MESSAGES} queued findings, next to the SNS HTTPS path (same run, same app)\n`);
  console.log('| path | messages | all stored after s | p50 s | p99 s | ReceiveMessage calls (minimum) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(
      `| ${r.path} | ${r.messages} | ${r.seconds.toFixed(2)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.receiveCalls !== undefined ? `${r.receiveCalls} (${r.minimumCalls})` : '–'} |`,
    );
  const [sns, sqs] = rows;
  if (sns && sqs)
    console.log(
      `\nratio SQS/SNS time to store all: ${(sqs.seconds / sns.seconds).toFixed(2)}; receive calls / minimum: ${((sqs.receiveCalls ?? 0) / (sqs.minimumCalls ?? 1)).toFixed(2)}`,
    );
}
if (!only || only === 'eks') {
  const b = await runEksBench();
  console.log(
    `\n## EKS: pods running one image, ${EKS_CLUSTERS} clusters × ${PODS_PER_CLUSTER} pods (API double answers after ${API_LATENCY_MS} ms; ${CLUSTER_CONCURRENCY} clusters at a time)\n`,
  );
  console.log('| figure | measured | baseline | ratio | goal |');
  console.log('|---|---:|---:|---:|---|');
  console.log(`| Kubernetes list requests | ${b.requests} | ${b.minimum} (minimum for 500-pod pages) | ${(b.requests / b.minimum).toFixed(2)} | 1.00 |`);
  console.log(
    `| wall time, ${EKS_CLUSTERS} clusters | ${b.allSeconds.toFixed(2)} s | ${b.oneClusterSeconds.toFixed(2)} s (one cluster alone) | ${(b.allSeconds / b.oneClusterSeconds).toFixed(2)} | ≤ 2 |`,
  );
  console.log(`\nmatches found: ${b.matches}; clusters with errors: ${b.errors}`);
}
if (!only || only === 'org-sweep') {
  const o = await runOrgSweepBench();
  console.log(
    `\n## Organization-wide sweep: ${ORG_ACCOUNTS} accounts × ${ORG_REGIONS.length} Regions × ${ORG_CLUSTERS} clusters × ${ORG_TASKS_PER_CLUSTER} tasks, ECS limits per account-Region\n`,
  );
  console.log('| figure | measured | baseline | ratio | goal |');
  console.log('|---|---:|---:|---:|---|');
  console.log(`| API calls | ${o.calls} | ${o.minimum} (minimum for the page sizes) | ${(o.calls / o.minimum).toFixed(2)} | 1.00 |`);
  console.log(
    `| wall time | ${o.seconds.toFixed(2)} s | ${o.onePlaceSeconds.toFixed(2)} s (one account-Region alone) | ${(o.seconds / o.onePlaceSeconds).toFixed(2)} | ≤ 1.5 |`,
  );
  console.log(`\nplaces: ${o.places}; matches found: ${o.matches}; throttled calls: ${o.throttled}`);
}
if (!only || only === 'storm') {
  const rows = await runStormBench();
  console.log(
    `\n## Alert storm: ${STORM_LOWS} Low findings on distinct resources, then one Critical; Slack double enforces 1 chat.postMessage/s per channel (injected clock)\n`,
  );
  console.log(
    '| digest | Critical card after (s, goal < 2) | top-level messages in first 2 min (goal ≤ 40) | every finding reachable after (s, goal < 120) | 429s (goal 0) | wall s |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(
      `| ${r.digest ? 'on (default)' : 'off (baseline)'} | ${r.criticalSeconds.toFixed(1)} | ${r.topLevelFirstTwoMinutes} | ${r.allReachableSeconds.toFixed(1)} | ${r.throttled} | ${r.wallSeconds.toFixed(1)} |`,
    );
  const [on, off] = rows;
  if (on && off) console.log(`\nratio digest on/off, time until every finding is reachable: ${(on.allReachableSeconds / off.allReachableSeconds).toFixed(3)}`);
}
if (!only || only === 'replicas') {
  const { runReplicasBench } = await import('./replicas.js');
  const b = await runReplicasBench();
  console.log(
    `\n## Replicas: ${b.notifications} signed SNS notifications (${b.duplicatesSent} duplicate MessageIds, ${b.updatesSent} updated findings, ${b.distinct} distinct findings), 3 replicas on one PostgreSQL, one SIGKILLed and restarted after ${b.killedAfter} sends\n`,
  );
  console.log('| figure | measured | baseline | ratio | goal |');
  console.log('|---|---:|---:|---:|---|');
  console.log(
    `| accepted notifications/s | ${b.fleet.perSecond.toFixed(0)} (3 replicas, PostgreSQL) | ${b.sqlite.perSecond.toFixed(0)} (1 process, SQLite) | ${(b.fleet.perSecond / b.sqlite.perSecond).toFixed(2)} | ≥ 1 |`,
  );
  console.log(`| duplicate cards posted | ${b.duplicateCards} (of ${b.cardsPosted} findings with a card) | – | – | 0 |`);
  console.log(`| findings lost (neither a stored finding nor pending in the inbox) | ${b.lost} of ${b.distinct} | – | – | 0 |`);
  console.log(`| accepted MessageIds missing from the inbox | ${b.messagesMissing} of ${b.distinct + b.updatesSent} | – | – | 0 |`);
  console.log(`| processed findings stored with an older version | ${b.stale} of ${b.processed} | – | – | 0 |`);
  console.log(`| 429s from the Slack double | ${b.slack429} | – | – | 0 |`);
  console.log(`| posts above 1/s per channel (6th post in < 4.5 s) | ${b.fastPosts} | – | – | 0 |`);
  console.log(
    `\naccepted: fleet ${b.fleet.accepted} in ${b.fleet.seconds.toFixed(1)} s (${b.fleet.retried} sends retried on another replica, ${b.fleet.failed} given up); SQLite ${b.sqlite.accepted} in ${b.sqlite.seconds.toFixed(1)} s (${b.sqlite.retried} retried, ${b.sqlite.failed} given up); restart took ${b.restartSeconds.toFixed(1)} s; waited ${b.drainSeconds.toFixed(1)} s after the last send for the inbox (${b.inboxPending} still pending, ${b.inboxFailed} failed); findings stored ${b.stored}, fully processed ${b.processed}`,
  );
}

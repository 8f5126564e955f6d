/**
 * `npm run bench`: every benchmark the issues ask for, each next to its baseline measured in the
 * same run. Figures are printed as a table; the README quotes one run.
 */
import { runSnsBench } from './sns.js';
import { runSweepBench, CLUSTERS, TASKS } from './sweep.js';
import { runOrgSweepBench, ORG_ACCOUNTS, ORG_CLUSTERS, ORG_REGIONS, ORG_TASKS_PER_CLUSTER } from './org-sweep.js';

const only = process.argv[2];

if (!only || only === 'sns') {
  const rows = await runSnsBench();
  console.log('\n## SNS ingestion (50 concurrent connections)\n');
  console.log('| target | requests | req/s | p50 ms | p99 ms | non-2xx |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.target} | ${r.requests} | ${r.perSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.non2xx} |`);
  const [bare, app] = rows;
  if (bare && app) console.log(`\nratio app/bare throughput: ${(app.perSecond / bare.perSecond).toFixed(2)} (goal ≥ 0.33); app p99 ${app.p99} ms (goal < 20 ms)`);
}

if (!only || only === 'sweep') {
  const b = await runSweepBench();
  console.log(`\n## Blast-radius sweep: ${CLUSTERS} clusters, ${TASKS} running tasks, ECS rate limits enforced by the double\n`);
  console.log('| figure | measured | baseline | ratio | goal |');
  console.log('|---|---:|---:|---:|---|');
  console.log(`| sweep API calls | ${b.calls} | ${b.minimum} (minimum for the page sizes) | ${(b.calls / b.minimum).toFixed(2)} | 1.00 |`);
  console.log(`| sweep wall time | ${b.seconds.toFixed(2)} s | ${b.floorSeconds.toFixed(2)} s (rate-limit floor) | ${(b.seconds / b.floorSeconds).toFixed(2)} | ≤ 1.25 |`);
  console.log(`| stop ${b.stop.tasks} tasks | ${b.stop.seconds.toFixed(2)} s | ${b.stop.floorSeconds.toFixed(2)} s (StopTask floor) | ${(b.stop.seconds / b.stop.floorSeconds).toFixed(2)} | ≤ 1.25 |`);
  console.log(`\nmatches found: ${b.matches}; throttled calls: sweep ${b.throttled}, stop ${b.stop.throttled}; stop failures: ${b.stop.failures}`);
}

if (!only || only === 'org-sweep') {
  const o = await runOrgSweepBench();
  console.log(`\n## Organization-wide sweep: ${ORG_ACCOUNTS} accounts × ${ORG_REGIONS.length} Regions × ${ORG_CLUSTERS} clusters × ${ORG_TASKS_PER_CLUSTER} tasks, ECS limits per account-Region\n`);
  console.log('| figure | measured | baseline | ratio | goal |');
  console.log('|---|---:|---:|---:|---|');
  console.log(`| API calls | ${o.calls} | ${o.minimum} (minimum for the page sizes) | ${(o.calls / o.minimum).toFixed(2)} | 1.00 |`);
  console.log(`| wall time | ${o.seconds.toFixed(2)} s | ${o.onePlaceSeconds.toFixed(2)} s (one account-Region alone) | ${(o.seconds / o.onePlaceSeconds).toFixed(2)} | ≤ 1.5 |`);
  console.log(`\nplaces: ${o.places}; matches found: ${o.matches}; throttled calls: ${o.throttled}`);
}

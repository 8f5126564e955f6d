/**
 * `npm run bench`: every benchmark the issues ask for, each next to its baseline measured in the
 * same run. Figures are printed as a table; the README quotes one run.
 */
import { runSnsBench } from './sns.js';

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

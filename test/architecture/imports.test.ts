/**
 * The dependency rule (README "Architecture"), enforced over the import graph of src/:
 *
 *   composition root → listeners → use cases → steps → adapters / message builders → domain → base
 *
 * An import may only point to its own layer or a lower one; message builders are leaves (they
 * name domain and base only); nothing imports a listener (but the root and listeners/index.ts); there are no import cycles. Type-only
 * imports are erased at build time, so they may name any layer's types except a listener's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { findCycles, importGraph, sourceFiles, type ImportEdge } from './import-graph.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

export type Layer = 'root' | 'listener' | 'usecase' | 'step' | 'adapter' | 'message' | 'domain' | 'base';

/** First match wins. Paths are relative to src/. */
const LAYERS: ReadonlyArray<readonly [RegExp, Layer]> = [
  [/^(responder|main|cli|server)\.ts$/, 'root'],
  [/^(listeners|http)\//, 'listener'],
  [/^slack\/register-[^/]+\.ts$/, 'listener'],
  [/^(remediation|commands|ingest|notify|replicas|backfill)\//, 'usecase'],
  [/^incidents\/(service|close-out)\.ts$/, 'usecase'],
  [/^actions\/types\.ts$/, 'domain'],
  // Pure text rules every layer may use: escaping, Slack's length limits, ARN and image-URI grammar.
  [/^cards\/(escape|limits)\.ts$/, 'base'],
  [/^aws\/(arn|ids)\.ts$/, 'domain'],
  [/^actions\//, 'step'],
  [/^(cards|slack\/messages)\//, 'message'],
  // Inbound checks (sns/, slack-verify/) verify requests before any listener sees them, like adapters.
  [/^(store|aws|sns|sqs|k8s|slack-verify|authz|audit)\//, 'adapter'],
  [/^slack\/ids\.ts$/, 'base'],
  [/^slack\//, 'adapter'],
  [/^config\.ts$/, 'adapter'],
  [/^(findings|incidents)\//, 'domain'],
  [/^(util\/|errors\.ts$|log\.ts$)/, 'base'],
];

/** Which layers a layer may import values from. */
const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  root: ['root', 'listener', 'usecase', 'step', 'adapter', 'message', 'domain', 'base'],
  listener: ['usecase', 'step', 'adapter', 'message', 'domain', 'base'],
  usecase: ['usecase', 'step', 'adapter', 'message', 'domain', 'base'],
  step: ['step', 'adapter', 'domain', 'base'],
  adapter: ['adapter', 'domain', 'base'],
  message: ['message', 'domain', 'base'],
  domain: ['domain', 'base'],
  base: ['base'],
};

export function layerOf(file: string): Layer | undefined {
  return LAYERS.find(([re]) => re.test(file))?.[1];
}

/** Imports that break the rule, as readable lines. */
export function violations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (!from || !to) continue;
    if (to === 'listener') {
      if (from !== 'root' && e.from !== 'listeners/index.ts') out.push(`${e.from} (${from}) imports the listener ${e.to}`);
    } else if (!e.typeOnly && !MAY_IMPORT[from].includes(to)) out.push(`${e.from} (${from}) imports ${e.to} (${to})`);
  }
  return out;
}

/** Cycles, except type-only ones inside one folder (erased at build, one module's private split). */
export function cycles(edges: readonly ImportEdge[]): string[] {
  const dir = (f: string) => f.slice(0, f.lastIndexOf('/') + 1);
  const counted = edges.filter((e) => !(e.typeOnly && dir(e.from) === dir(e.to)));
  return findCycles(counted).map((c) => c.join(' → '));
}

describe('the dependency rule of src/', () => {
  const edges = importGraph(SRC);

  it('places every source file in a layer', () => {
    assert.deepEqual(
      sourceFiles(SRC).filter((f) => !layerOf(f)),
      [],
    );
  });

  it('has no import cycles', () => {
    assert.deepEqual(cycles(edges), []);
  });

  it('imports only downward: listeners → use cases → steps → adapters, message builders → domain → base', () => {
    assert.deepEqual(violations(edges), []);
  });

  it('catches an upward import, a message builder that is not a leaf, and a cycle (the checks can fail)', () => {
    const bad: ImportEdge[] = [
      { from: 'findings/model.ts', to: 'store/store.ts', typeOnly: false },
      { from: 'cards/finding-card.ts', to: 'aws/ec2/instance.ts', typeOnly: false },
      { from: 'commands/handle.ts', to: 'listeners/command.ts', typeOnly: true },
      { from: 'notify/a.ts', to: 'ingest/b.ts', typeOnly: false },
      { from: 'ingest/b.ts', to: 'notify/a.ts', typeOnly: true },
    ];
    assert.equal(violations(bad).length, 3);
    assert.deepEqual(cycles(bad), ['ingest/b.ts → notify/a.ts → ingest/b.ts']);
  });

  it('reaches the Slack Web API only through the gateway (src/slack/client.ts): no raw `.client` calls elsewhere', () => {
    const raw = /\bslack\.client\b|\.client\.(chat|views|conversations|filesUploadV2|files|usergroups|auth|users)\b/;
    const offenders = sourceFiles(SRC).filter((f) => !f.startsWith('slack/client') && raw.test(readFileSync(join(SRC, f), 'utf8')));
    assert.deepEqual(offenders, []);
  });
});

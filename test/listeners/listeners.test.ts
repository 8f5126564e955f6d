import assert from 'node:assert/strict';
import { test } from 'node:test';
import { confirmationValues } from '../../src/listeners/confirm-submission.js';
import { handOffVia, registerListeners, type ListenerDeps } from '../../src/listeners/index.js';
import { createLogger } from '../../src/log.js';
import type { BoltApp } from '../../src/server.js';
import { APPROVE_ACTION_ID, CONFIRM_CALLBACK_ID, INPUT_BLOCK_PREFIX, REASON_BLOCK_ID, REJECT_ACTION_ID } from '../../src/slack/messages/action-messages.js';
import { CLOSE_MODAL_CALLBACK_ID, INCIDENT_ACTION_IDS } from '../../src/slack/messages/incident-controls.js';

test('listeners/index registers every Slack surface once', () => {
  const seen: string[] = [];
  const app = {
    action: (id: string | RegExp) => void seen.push(`action ${String(id)}`),
    view: (id: string) => void seen.push(`view ${id}`),
    command: (name: string) => void seen.push(`command ${name}`),
    event: (name: string) => void seen.push(`event ${name}`),
  } as unknown as BoltApp;
  registerListeners(app, { logger: createLogger('silent'), runner: { track: (p: Promise<void>) => p } } as unknown as ListenerDeps);
  assert.equal(new Set(seen).size, seen.length, 'no surface registered twice');
  for (const id of [APPROVE_ACTION_ID, REJECT_ACTION_ID, ...Object.values(INCIDENT_ACTION_IDS)]) assert.ok(seen.includes(`action ${id}`), id);
  assert.ok(seen.includes(`view ${CONFIRM_CALLBACK_ID}`));
  assert.ok(seen.includes(`view ${CLOSE_MODAL_CALLBACK_ID}`));
  assert.ok(seen.includes('command /guardduty'));
  assert.ok(seen.includes('event app_home_opened'));
});

test('the hand-off tracks the work and logs a failure instead of throwing it into Bolt', async () => {
  const tracked: Promise<void>[] = [];
  const handOff = handOffVia(createLogger('silent'), 'test', (p) => {
    tracked.push(p);
    return p;
  });
  await handOff('boom', async () => {
    throw new Error('boom');
  });
  assert.equal(tracked.length, 1);
});

test('confirmation values: inputs by id, a trimmed reason, an empty reason is none', () => {
  const values = {
    [`${INPUT_BLOCK_PREFIX}port`]: { value: { type: 'plain_text_input', value: ' 22 ' } },
    [`${INPUT_BLOCK_PREFIX}mode`]: { value: { type: 'static_select', selected_option: { value: 'strict', text: { type: 'plain_text', text: 'Strict' } } } },
    [REASON_BLOCK_ID]: { value: { type: 'plain_text_input', value: '  miner  ' } },
    other: { value: { type: 'plain_text_input', value: 'ignored' } },
  };
  assert.deepEqual(confirmationValues(values as never), { inputs: { port: '22', mode: 'strict' }, reason: 'miner' });
  assert.deepEqual(confirmationValues({ [REASON_BLOCK_ID]: { value: { type: 'plain_text_input', value: '   ' } } } as never), { inputs: {} });
});

/** The Socket Mode manifest is manifest.yml without request URLs: same scopes, command, events. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';

/** The parts of a Slack app manifest compared here. */
interface Manifest {
  oauth_config: unknown;
  settings: { socket_mode_enabled?: boolean; event_subscriptions: { bot_events: string[] }; interactivity: { is_enabled: boolean } };
  features: { slash_commands: Record<string, unknown>[] } & Record<string, unknown>;
}
const load = (name: string) => parse(readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8')) as Manifest;

test('manifest.socket-mode.yml: socket mode on, no URL anywhere, otherwise the same app as manifest.yml', () => {
  const http = load('manifest.yml');
  const socket = load('manifest.socket-mode.yml');
  assert.equal(socket.settings.socket_mode_enabled, true);
  assert.doesNotMatch(JSON.stringify(socket), /https?:\/\/|request_url|"url"/);
  assert.deepEqual(socket.oauth_config, http.oauth_config);
  assert.deepEqual(socket.settings.event_subscriptions.bot_events, http.settings.event_subscriptions.bot_events);
  assert.equal(socket.settings.interactivity.is_enabled, true);
  const withoutUrl = (cmds: Record<string, unknown>[]) => cmds.map(({ url: _url, ...rest }) => rest);
  assert.deepEqual(withoutUrl(socket.features.slash_commands), withoutUrl(http.features.slash_commands));
  assert.deepEqual({ ...socket.features, slash_commands: [] }, { ...http.features, slash_commands: [] });
});

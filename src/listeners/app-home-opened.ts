/** App Home opened: remember the viewer (the Home is re-published when incidents change) and publish it. */
import type { EffectRunner } from '../notify/effects.js';
import type { BoltApp } from '../server.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

export function register(
  app: BoltApp,
  deps: {
    store: Pick<Store, 'addHomeViewer'>;
    clock: Clock;
    effects: Pick<EffectRunner, 'publishHome'>;
    handOff: (what: string, work: () => Promise<void>) => Promise<void>;
  },
): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await deps.handOff('home', async () => {
      await deps.store.addHomeViewer(event.user, deps.clock.now());
      await deps.effects.publishHome(event.user);
    });
  });
}

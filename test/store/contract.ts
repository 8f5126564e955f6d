import { after, describe } from 'node:test';
import type { Store } from '../../src/store/store.js';
import { coreContract } from './contract-core.js';
import { deadLetterContract } from './contract-dead-letters.js';
import { incidentContract } from './contract-incidents.js';
import { priorityContract } from './contract-priority.js';
import { replicaContract } from './contract-replicas.js';

/**
 * The Store contract: every implementation (SQLite, PostgreSQL) must pass the same suite.
 * `open()` gives a store on fresh, empty data; `replica(s)` a second connection to the same data
 * as `s` (another process/replica).
 */
export interface StoreFactory {
  open(): Promise<Store>;
  replica(of: Store): Promise<Store>;
  /** Called once after the suite. */
  cleanup?(): Promise<void>;
}

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    coreContract(factory);
    incidentContract(factory);
    replicaContract(factory);
    priorityContract(factory);
    deadLetterContract(factory);
    after(async () => {
      await factory.cleanup?.();
    });
  });
}

/** Opens a store, runs `fn`, closes every store opened by it. */
export async function withStore(factory: StoreFactory, fn: (s: Store, replica: () => Promise<Store>) => Promise<void>): Promise<void> {
  const s = await factory.open();
  const opened: Store[] = [s];
  try {
    await fn(s, async () => {
      const r = await factory.replica(s);
      opened.push(r);
      return r;
    });
  } finally {
    for (const o of opened.reverse()) await o.close();
  }
}

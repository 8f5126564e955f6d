/**
 * Per-part character budgets for a card. Every part of a card is cut to its budget so that any
 * single text stays within Block Kit's limits; the card builder scales them down as a whole when
 * the message would exceed MESSAGE_BLOCKS_TEXT_BUDGET (several long lists at once).
 */
export interface Caps {
  /** One short identifier in a field (instance id, region, launch type…). */
  value: number;
  /** One ARN or image reference in a field or list line. */
  long: number;
  /** One list section (containers, ENIs, tags…). */
  list: number;
  /** Items shown in one list before "…and N more", even when they would fit. */
  listItems: number;
  /** Lines in a short inner list (IPs of an ENI, parents of a process). */
  inner: number;
  description: number;
  process: number;
  commandLine: number;
}

const FULL: Caps = {
  value: 100,
  long: 200,
  list: 1500,
  listItems: 25,
  inner: 5,
  description: 600,
  process: 1800,
  commandLine: 600,
};

export function capsFor(scale: number): Caps {
  const s = (n: number, min: number): number => Math.max(min, Math.floor(n * scale));
  return {
    value: s(FULL.value, 40),
    long: s(FULL.long, 60),
    list: s(FULL.list, 200),
    listItems: s(FULL.listItems, 3),
    inner: s(FULL.inner, 2),
    description: s(FULL.description, 120),
    process: s(FULL.process, 400),
    commandLine: s(FULL.commandLine, 100),
  };
}

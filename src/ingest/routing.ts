import type { Config } from '../config.js';
import type { Finding } from '../findings/model.js';
import { atLeast, severityLevel } from '../findings/severity.js';

export interface Route {
  /** Channel to post in, or undefined when the finding is stored but not posted. */
  channel?: string;
  reason: string;
}

/** Minimum severity filter, then the per-severity channel map, then the default channel. */
export function routeFinding(f: Pick<Finding, 'severity'>, cfg: Pick<Config, 'routing' | 'slack'>): Route {
  const level = severityLevel(f.severity);
  if (!atLeast(f.severity, cfg.routing.minSeverity)) {
    return { reason: `severity ${level} is below MIN_SEVERITY=${cfg.routing.minSeverity}` };
  }
  const mapped = cfg.slack.channelBySeverity[level];
  return mapped ? { channel: mapped, reason: `severity ${level} → ${mapped}` } : { channel: cfg.slack.defaultChannel, reason: 'default channel' };
}

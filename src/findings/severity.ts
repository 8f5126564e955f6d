/**
 * GuardDuty severity bands (documented ranges): Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9,
 * Critical 9.0–10.0.
 */
export const SEVERITY_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

export function severityLevel(score: number): SeverityLevel {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

export function severityRank(level: SeverityLevel): number {
  return SEVERITY_LEVELS.indexOf(level);
}

export function atLeast(score: number, min: SeverityLevel): boolean {
  return severityRank(severityLevel(score)) >= severityRank(min);
}

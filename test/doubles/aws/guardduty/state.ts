/**
 * GuardDuty, reduced to the detector, its findings (list by updatedAt, get), on-demand malware
 * scans of EC2 instances, and finding housekeeping (archive, feedback, filters). A scan's outcome is set per instance; it reports
 * RUNNING until `completesAfterPolls` DescribeMalwareScans calls have seen it.
 */
import type { IdGenerator } from '../ids.js';

export interface ScanOutcome {
  status: 'COMPLETED' | 'FAILED' | 'SKIPPED';
  result?: 'CLEAN' | 'INFECTED';
  failureReason?: string;
  fileCount?: number;
  totalBytes?: number;
  threats?: { name: string; count?: number; hash?: string }[];
  /** DescribeMalwareScans polls that still see RUNNING (default 1). */
  completesAfterPolls?: number;
}

export interface MalwareScan {
  scanId: string;
  detectorId: string;
  resourceArn: string;
  instanceId: string;
  clientToken?: string;
  startedAt: Date;
  endedAt?: Date;
  polls: number;
  outcome: ScanOutcome;
  volumes: { volumeArn: string; deviceName: string; sizeGb: number }[];
}

export interface FilterRecord {
  name: string;
  action: string;
  rank?: number;
  description?: string;
  criterion: Record<string, unknown>;
}

export class GuardDutyState {
  /** Undefined: GuardDuty is not enabled in this account and Region. */
  detectorId: string | undefined;
  readonly scans = new Map<string, MalwareScan>();
  readonly outcomes = new Map<string, ScanOutcome>();
  readonly archived = new Set<string>();
  readonly feedback = new Map<string, { feedback: string; comments?: string }>();
  readonly filters = new Map<string, FilterRecord>();
  /** Findings in the detector, as the REST API returns them (camelCase wire JSON), by id. */
  readonly findings = new Map<string, Record<string, unknown>>();
  /** CreateSampleFindings: the finding types of each request (empty: every type). */
  readonly sampleRequests: string[][] = [];
  /** One scan per resource per hour (GuardDuty's rule for on-demand scans). */
  rescanWindowMs = 60 * 60 * 1000;
  /** Instance lookup for StartMalwareScan (exists? volumes?). Wired in index.ts. */
  describeInstance?: (instanceId: string) => { volumes: { volumeId: string; deviceName: string; sizeGb: number }[] } | undefined;

  constructor(
    private readonly env: { region: string; accountId: string; ids: IdGenerator; now: () => number },
    enabled = true,
  ) {
    this.detectorId = enabled ? env.ids.hex(32) : undefined;
  }

  get region(): string {
    return this.env.region;
  }

  get accountId(): string {
    return this.env.accountId;
  }

  now(): Date {
    return new Date(this.env.now());
  }

  newScanId(): string {
    return this.env.ids.hex(32);
  }

  /** Stores (or replaces) a finding: what ListFindings / GetFindings then return. */
  putFinding(finding: Record<string, unknown>): void {
    this.findings.set(String(finding.id), finding);
  }

  /** What scanning this instance finds (default: COMPLETED, CLEAN). */
  setScanOutcome(instanceId: string, outcome: ScanOutcome): void {
    this.outcomes.set(instanceId, outcome);
  }
}

export * from './malware-scan.js';
export * from './findings.js';
export { createRuntimeSampleFindings, RUNTIME_SAMPLE_TYPES, type SampleFindingsResult } from './sample-findings.js';
export * from './list-findings.js';

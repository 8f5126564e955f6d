export * from './malware-scan.js';
export * from './findings.js';

export * from './targets.js';
export * from './rate-limit.js';

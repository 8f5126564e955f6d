export * from './types.js';
export * from './task-context.js';
export * from './sweep.js';
export * from './stop.js';
export * from './services.js';
export * from './task-definition.js';
export * from './from-finding.js';

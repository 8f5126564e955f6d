export * from './image.js';
export * from './scan.js';

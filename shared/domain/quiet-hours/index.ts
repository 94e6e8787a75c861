export * from './patient-window.js';
export * from './state-rules.js';

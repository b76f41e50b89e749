// The script-tag build: everything in one global, `window.AmazonPayV2`.
export * from './index.js';
export * from './confirm.js';

export * from './tenancy.js';
export * from './model.js';

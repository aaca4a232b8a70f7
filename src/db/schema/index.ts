export * from './tenancy.js';
export * from './model.js';
export * from './sessions.js';
export * from './work.js';
export * from './oauth.js';
export * from './members.js';
export * from './imports.js';

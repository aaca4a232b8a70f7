// Preloaded into the conformance suite's Node 22 (`node --import <this file> …`) by conformance.test.ts: resolves
// `*.localhost` (the demo's tenant hosts, e.g. acme.localhost) to 127.0.0.1, as browsers do (RFC 6761 §6.3) and as
// the system resolver here does not. Every other name goes to the real resolver. Test-only.
import dns from 'node:dns';

const original = dns.lookup;

dns.lookup = function lookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'function' || options === undefined ? {} : typeof options === 'number' ? { family: options } : options;
  if (typeof hostname === 'string' && hostname.toLowerCase().endsWith('.localhost')) {
    const address = { address: '127.0.0.1', family: 4 };
    process.nextTick(() => (opts.all ? cb(null, [address]) : cb(null, address.address, address.family)));
    return {};
  }
  return original.call(dns, hostname, options, callback);
};

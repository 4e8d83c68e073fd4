// Dependency rules of src/ (docs/architecture.md, "Layering"), checked by `npm run deps`, which
// `npm test` runs. Layers, lowest first: errors + cancellable + timeout-value, address, resolver,
// connection, tls, proxy, client, sync, cli and adapters. A module may import its own layer and
// lower ones. Type-only imports are erased by the compiler and so cannot create a load-order
// cycle; they still count for the cycle rule, and only `import type` of a higher layer's
// interfaces for a public signature is allowed across layers (see the rules' `dependencyTypesNot`).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No module may reach itself through its runtime imports (docs/architecture.md).',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'errors-are-the-base',
      severity: 'error',
      comment: 'src/errors/ imports nothing else of src/.',
      from: { path: '^src/errors/' },
      to: { path: '^src/', pathNot: '^src/errors/' },
    },
    {
      name: 'address-below-resolver-and-up',
      severity: 'error',
      comment:
        'src/address/ uses only errors, cancellable and the resolver interface (resolver/ is the same tier).',
      from: { path: '^src/address/' },
      to: {
        path: '^src/(proxy|tls|client|sync|cli|adapters|connection)/',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'resolver-below-proxy-and-up',
      severity: 'error',
      from: { path: '^src/resolver/' },
      to: {
        path: '^src/(proxy|tls|client|sync|cli|adapters|connection)/',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'lower-layers-never-import-higher-types',
      severity: 'error',
      comment:
        'Even type-only: errors, address and resolver name nothing of tls, client, sync, cli or adapters. ' +
        'The one allowed type-only reference up is EnumerateOptions.proxyResolver (address/connectable.ts → proxy/proxy-resolver.ts), the GProxyResolver a client passes down.',
      from: { path: '^src/(errors|address|resolver)/' },
      to: {
        path: '^src/(tls|client|sync|cli|adapters)/|^src/proxy/(?!proxy-resolver\\.ts$)',
      },
    },
    {
      name: 'proxy-and-tls-below-client',
      severity: 'error',
      from: { path: '^src/(proxy|tls|connection)/' },
      to: { path: '^src/(client|sync|cli|adapters)/' },
    },
    {
      name: 'tls-below-proxy',
      severity: 'error',
      comment: 'The HTTPS proxy runs TLS to the proxy, so proxy/ may use tls/, never the reverse.',
      from: { path: '^src/tls/' },
      to: { path: '^src/proxy/' },
    },
    {
      name: 'client-never-imports-sync-at-runtime',
      severity: 'error',
      comment:
        'sync/ is built on client/: SocketClient reaches the blocking engine through src/client/blocking-hook.ts. ' +
        'Type-only imports name the Sync* stand-ins in public signatures.',
      from: { path: '^src/client/' },
      to: { path: '^src/sync/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'library-never-imports-cli-or-adapters',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(cli|adapters)/|^src/index\\.ts$' },
      to: { path: '^src/(cli|adapters)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
  },
};

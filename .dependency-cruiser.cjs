// Dependency rules of src/ (docs/architecture.md, "Layering"), checked by `npm run deps`, which
// `npm test` runs. Layers, lowest first: errors (with cancellable.ts and timeout-value.ts),
// address and resolver, connection, tls, proxy, client, sync, then cli, adapters and testing. A module
// imports its own layer and lower ones only. Type-only imports (erased by the compiler) count too,
// except where a rule says otherwise and why.

// Interfaces that name their implementations and back: GSocketConnectable's enumerators yield
// GSocketAddresses, which are themselves connectables; GProxyResolver is declared beside
// ProxyResolver.getDefault(), which picks among the resolvers that implement it (and those run the
// PAC resolver, through pac-uris.ts, for `pac+` proxy URIs). Those cycles are type-only (the
// runtime rule below still covers these files).
const TYPE_CYCLE_PAIRS =
  '^src/address/(connectable|socket-address|proxy-enumeration)\\.ts$|' +
  '^src/proxy/(proxy|environment-proxy|simple-proxy|system-proxy|pac-proxy)-resolver\\.ts$|' +
  '^src/proxy/(pac-uris|wpad-proxy)\\.ts$|' +
  '^src/proxy/(desktop-proxy-config|gnome-proxy-settings|kde-proxy-settings)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No module may reach itself through the imports that remain at run time.',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-circular-types',
      severity: 'error',
      comment: 'No cycle through type-only imports either, but for the interface pairs of TYPE_CYCLE_PAIRS.',
      from: { path: '^src/', pathNot: TYPE_CYCLE_PAIRS },
      to: { circular: true },
    },
    {
      name: 'errors-are-the-base',
      severity: 'error',
      comment: 'src/errors/ imports nothing else of src/.',
      from: { path: '^src/errors/' },
      to: { path: '^src/', pathNot: '^src/errors/' },
    },
    {
      name: 'cancellable-and-timeout-on-errors-only',
      severity: 'error',
      from: { path: '^src/(cancellable|timeout-value)\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(errors/|cancellable\\.ts$|timeout-value\\.ts$)' },
    },
    {
      name: 'address-and-resolver-below-the-rest',
      severity: 'error',
      comment:
        'address/ and resolver/ (one tier: NetworkAddress asks a Resolver, NetworkService yields NetworkAddresses) ' +
        'import only errors, cancellable.ts and each other. The one reference up is type-only: ' +
        'EnumerateOptions.proxyResolver (address/connectable.ts) names proxy/proxy-resolver.ts, the GProxyResolver a client passes down.',
      from: { path: '^src/(address|resolver)/' },
      to: {
        path: '^src/(connection|tls|proxy|client|sync|cli|adapters)/|^src/index\\.ts$',
        pathNot: '^src/proxy/proxy-resolver\\.ts$',
      },
    },
    {
      name: 'address-and-resolver-import-proxy-resolver-as-type-only',
      severity: 'error',
      from: { path: '^src/(address|resolver)/' },
      to: { path: '^src/proxy/proxy-resolver\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'connection-below-tls-and-proxy',
      severity: 'error',
      from: { path: '^src/connection/' },
      to: { path: '^src/(tls|proxy|client|sync|cli|adapters)/' },
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
      name: 'library-never-imports-testing',
      severity: 'error',
      comment: 'src/testing/ (gsocketclient/testing) sits on top of the library, beside the adapters.',
      from: { path: '^src/', pathNot: '^src/testing/' },
      to: { path: '^src/testing/' },
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

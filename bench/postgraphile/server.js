'use strict';
// The benchmark peer: PostGraphile 4.14.1 serving Luukku's tables (schema `public`) as a library.
// Env: DATABASE_URL, HOST (127.0.0.1), PORT (5055), POOL_SIZE (10).
// Prints "READY <host>:<port> pid=<pid>" once the schema is built and the port is open;
// exits with 2 when the schema cannot be built. SIGTERM/SIGINT stop it (exit 0).
const http = require('node:http');
const { postgraphile } = require('postgraphile');
const PgSimplifyInflectorPlugin = require('@graphile-contrib/pg-simplify-inflector');

const DATABASE_URL = process.env.DATABASE_URL;
const HOST = process.env.HOST || '127.0.0.1';
const PORT = Number(process.env.PORT || 5055);
const POOL_SIZE = Number(process.env.POOL_SIZE || 10);

if (!DATABASE_URL) {
  console.error('DATABASE_URL is not set');
  process.exit(2);
}

const middleware = postgraphile({ connectionString: DATABASE_URL, max: POOL_SIZE }, 'public', {
  dynamicJson: true, // jsonb as JSON, not as a string
  setofFunctionsContainNulls: false,
  disableQueryLog: true,
  graphiql: false,
  enableCors: false,
  watchPg: false,
  ignoreRBAC: false,
  legacyRelations: 'omit',
  retryOnInitFail: false,
  appendPlugins: [PgSimplifyInflectorPlugin],
  simpleCollections: 'only', // plain lists, no Relay connections
  graphileBuildOptions: { pgOmitListSuffix: true }, // `applications`, not `applicationsList`
});

const server = http.createServer(middleware);
server.keepAliveTimeout = 65000;
middleware.getGraphQLSchema().then(
  () => {
    server.listen(PORT, HOST, () => console.log(`READY ${HOST}:${PORT} pid=${process.pid}`));
  },
  (error) => {
    console.error('schema build failed:', error.message);
    process.exit(2);
  },
);

const stop = () => {
  server.close();
  server.closeAllConnections?.();
  middleware.release().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

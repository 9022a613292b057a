// A real third-party client: graphql-ws (the client Apollo and urql build on) in Node.
// Usage: node subscribe.mjs <ws-url> <token> <query> <variables-json> <max-events>
// Prints "EVENT <json>" for each result and "CLOSED <code>" / "ERROR <json>" at the end.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, token, query, variablesJson, maxEvents] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
  retryAttempts: 0,
  on: { closed: (event) => console.log(`CLOSED ${event.code}`) },
});

let received = 0;
try {
  for await (const result of client.iterate({ query, variables: JSON.parse(variablesJson) })) {
    console.log(`EVENT ${JSON.stringify(result)}`);
    received += 1;
    if (received >= Number(maxEvents)) break;
  }
} catch (error) {
  console.log(`ERROR ${JSON.stringify({ code: error?.code, reason: error?.reason, message: error?.message })}`);
  process.exitCode = 2;
}
await client.dispose();

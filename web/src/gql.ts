// GraphQL over HTTP (urql, POST only) and graphql-transport-ws (graphql-ws) for live
// events, with the connection's state for the "connection lost / restored" message.
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { authHeaders, connectionParams, getToken } from './auth';
import { apiUrl, wsUrl } from './config';

export type LiveState = 'connecting' | 'connected' | 'lost' | 'restored';

type Listener = (state: LiveState) => void;

/** The live connection's state, observable by the UI. */
export class LiveStatus {
  state: LiveState = 'connecting';
  private everConnected = false;
  private listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(state: LiveState): void {
    this.state = state;
    this.listeners.forEach((l) => l(state));
  }

  connected(): void {
    if (this.everConnected && (this.state === 'lost' || this.state === 'connecting')) {
      // the views refetch what they missed when their subscriptions' LISTENING comes (the
      // server has joined their channels then), not here at connection_ack: a change
      // committed in between would be neither refetched nor delivered
      this.set('restored');
    } else {
      this.set('connected');
    }
    this.everConnected = true;
  }

  /** A normal close (1000: no subscription left) is not a lost connection. */
  closed(code: number | undefined): void {
    if (code === 1000) {
      this.everConnected = false;
      this.set('connecting');
    } else if (this.everConnected) this.set('lost');
  }
}

export interface Api {
  client: Client;
  ws: WsClient;
  live: LiveStatus;
  dispose(): void;
}

export function createApi(language: () => string, onUnauthorized: () => void): Api {
  const live = new LiveStatus();
  const ws = createWsClient({
    url: wsUrl(),
    // connect with the first subscription, and stay a while after the last one, so that
    // moving between pages does not reconnect
    lazy: true,
    lazyCloseTimeout: 10_000,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    retryWait: async (retries) => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 5000)));
    },
    shouldRetry: (event) => {
      const code = (event as { code?: number } | null)?.code;
      if (code === 4403 || code === 4401) {
        // a token that no longer works ends here; a session's socket also closes when it
        // chooses another organisation, and then reconnects (an ended session gets 401 on
        // HTTP, which signs the tab out)
        const hadToken = getToken() !== null;
        if (hadToken) onUnauthorized();
        return !hadToken;
      }
      return true;
    },
    connectionParams,
    on: {
      connected: () => live.connected(),
      closed: (event) => live.closed((event as { code?: number } | null)?.code),
    },
  });
  const client = new Client({
    url: apiUrl('/graphql'),
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: () => ({
      credentials: 'same-origin',
      headers: { ...authHeaders(), 'Accept-Language': language() },
    }),
    exchanges: [
      mapExchange({
        onError(error) {
          if ((error.response as Response | undefined)?.status === 401) onUnauthorized();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              return { unsubscribe: ws.subscribe(input, sink) };
            },
          };
        },
      }),
    ],
  });
  return {
    client,
    ws,
    live,
    dispose() {
      void ws.dispose();
    },
  };
}

import autocannon from 'autocannon';
import type { LoadRequest, LoadResult } from './load';

/**
 * autocannon in a child process: generating the load stays off the event loop of the server under
 * test (the app, or the bare node:http server, in the bench's process). A process rather than a
 * worker thread: autocannon summarises its histograms only on a main thread.
 */
const request = JSON.parse(process.argv[2]!) as LoadRequest;
autocannon(
  {
    url: request.url,
    connections: request.connections,
    duration: request.seconds,
    headers: request.headers,
  },
  (error, result) => {
    const answer: LoadResult = error
      ? { error: error.message }
      : {
          rps: result.requests.average,
          total: result.requests.total,
          p50: result.latency.p50,
          p99: result.latency.p99,
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
          bytesPerSecond: result.throughput.average,
        };
    process.send!(answer);
  },
);

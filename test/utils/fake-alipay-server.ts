import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  FakeAlipay,
  type FakeAlipayOptions,
} from '../../src/modules/payments/alipay/sandbox/fake-alipay';
import {
  newAlipayKeys,
  type SandboxAlipayKeys,
} from '../../src/modules/payments/alipay/sandbox/sandbox-alipay';

export type AlipayTestKeys = SandboxAlipayKeys;
/** Two fresh RSA 2048 key pairs (the app's and Alipay's), as the sandbox makes them. */
export const generateAlipayKeys = newAlipayKeys;

export interface RunningFakeAlipay {
  fake: FakeAlipay;
  /** The gateway address to give the adapter (`…/gateway.do`). */
  gateway: string;
  origin: string;
  close(): Promise<void>;
}

/** The framework-free fake Alipay on a node:http server, port 0 (loopback). */
export async function startFakeAlipay(
  options: Omit<FakeAlipayOptions, 'appPublicKey' | 'alipayPrivateKey'> & {
    keys: AlipayTestKeys;
  },
): Promise<RunningFakeAlipay> {
  const { keys, ...rest } = options;
  const fake = new FakeAlipay({
    ...rest,
    appPublicKey: keys.appPublicKey,
    alipayPrivateKey: keys.alipayPrivateKey,
  });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = fake.handle(
        request.method ?? 'GET',
        request.url ?? '/',
        request.headers,
        Buffer.concat(chunks),
      );
      response.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    fake,
    gateway: `${origin}/gateway.do`,
    origin,
    close: async () => {
      fake.stop();
      await fake.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

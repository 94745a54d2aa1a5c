// Starts an Express app on host:port and gives back its URL and an awaitable close.
import type { AddressInfo } from 'node:net';
import type express from 'express';

export interface RunningService {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(app: express.Express, port: number, host: string, onClose: () => void): Promise<RunningService> {
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => {
          onClose();
          if (err) reject(err);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}

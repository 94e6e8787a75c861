import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for SQS, enough for SendMessage: the SDK v3 SQS client speaks AWS JSON 1.0 (POST /,
 * `X-Amz-Target: AmazonSQS.SendMessage`, a JSON body). It records every request and answers as SQS does,
 * with the MD5 of the body the client checks; `failNext(n)` makes the next n
 * requests fail with a 500 (0 stops it).
 */
export interface RecordedSqsRequest {
  target?: string;
  contentType?: string;
  /** Whether the request carried a SigV4 Authorization header. */
  signed: boolean;
  json: Record<string, unknown>;
}

export interface FakeSqs {
  endpoint: string;
  /** A queue URL on this fake (the client may route by the QueueUrl's host). */
  queueUrl: string;
  requests: RecordedSqsRequest[];
  /** Bodies of the messages stored, in order. */
  messages(): string[];
  failNext(times?: number): void;
  close(): Promise<void>;
}

export async function startFakeSqs(): Promise<FakeSqs> {
  const requests: RecordedSqsRequest[] = [];
  const stored: string[] = [];
  let failures = 0;
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const record: RecordedSqsRequest = {
      target: header(req, 'x-amz-target'),
      contentType: header(req, 'content-type'),
      signed: (header(req, 'authorization') ?? '').startsWith('AWS4-HMAC-SHA256'),
      json: body ? (JSON.parse(body) as Record<string, unknown>) : {},
    };
    requests.push(record);
    const answer = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(payload));
    };
    if (failures > 0) {
      failures--;
      answer(500, { __type: 'com.amazonaws.sqs#InternalError', message: 'simulated' });
      return;
    }
    if (record.target !== 'AmazonSQS.SendMessage' || typeof record.json.MessageBody !== 'string') {
      answer(400, { __type: 'com.amazonaws.sqs#InvalidAction', message: `unsupported ${record.target}` });
      return;
    }
    stored.push(record.json.MessageBody);
    answer(200, {
      MessageId: randomUUID(),
      MD5OfMessageBody: createHash('md5').update(record.json.MessageBody, 'utf8').digest('hex'),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    queueUrl: `${endpoint}/000000000000/inbound-fallback`,
    requests,
    messages: () => [...stored],
    failNext: (times = 1) => {
      failures = times;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

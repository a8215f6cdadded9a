/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that keeps every message it receives, and a small
 * MIME reader for checking them: headers, decoded text parts and attachments.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  /** Empty when the sink counts bytes only (`countOnly`). */
  raw: string;
  bytes: number;
}

export interface SmtpSink {
  url: string;
  messages: ReceivedMail[];
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** Default: a free port. */
  port?: number;
  /** Refuse every recipient with this SMTP status, e.g. 550 (permanent) or 451 (try later). */
  refuseRecipients?: number;
  /** Keep only each message's size, so a huge message costs the test process no memory. */
  countOnly?: boolean;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (!options.refuseRecipients) return callback();
      const refusal = Object.assign(new Error('Mailbox unavailable'), {
        responseCode: options.refuseRecipients,
      });
      callback(refusal);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (!options.countOnly) chunks.push(chunk);
      });
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        messages.push({
          envelopeFrom: from ? from.address : '',
          envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          bytes,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface MimePart {
  /** Unfolded header block. */
  headers: string;
  contentType: string;
  filename: string | null;
  /** Decoded body as UTF-8 text (or the raw bytes in `bytes`). */
  text: string;
  bytes: Buffer;
}

export function header(headers: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(headers)?.[1]?.trim();
}

function decode(body: string, encoding: string | undefined): Buffer {
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (encoding?.toLowerCase() === 'quoted-printable') {
    const soft = body.replace(/=\r?\n/g, '');
    return Buffer.from(
      soft.replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      'latin1',
    );
  }
  return Buffer.from(body, 'utf8');
}

/** The leaf parts of a message, depth first. */
export function mimeParts(raw: string): MimePart[] {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const contentType = (header(headers, 'content-type') ?? 'text/plain').toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(header(headers, 'content-type') ?? '')?.[1];
  if (contentType.startsWith('multipart/') && boundary) {
    const segments = body.split(`--${boundary}`).slice(1);
    return segments
      .filter((segment) => !segment.startsWith('--'))
      .flatMap((segment) => mimeParts(segment.replace(/^\r\n/, '')));
  }
  const bytes = decode(body, header(headers, 'content-transfer-encoding'));
  const filename = /filename="?([^";]+)"?/i.exec(header(headers, 'content-disposition') ?? '')?.[1] ?? null;
  return [{ headers, contentType, filename, text: bytes.toString('utf8'), bytes }];
}

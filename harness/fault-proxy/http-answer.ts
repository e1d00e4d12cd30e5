// The few answers the proxy gives itself instead of the upstream. The reason
// is built by the proxy from what it parsed, never copied from the request.

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  431: 'Request Header Fields Too Large',
  502: 'Bad Gateway',
};

export type AnswerStatus = 400 | 431 | 502;

export function httpAnswer(status: AnswerStatus, reason: string): string {
  const body = `fault-proxy: ${reason}\n`;
  return (
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\n` +
    `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

import type { Answer } from './https-client.js';
import { imEnvelope, parseToml } from './toml.js';

/**
 * An answer reduced to what a client acts on, as one comparable line:
 * v1 `ok` or `<http status> <error code>`; im `ok` or `status <n> <reason>`, prefixed with
 * `http <n>` when the HTTP status is not 200. Bytes that are not the dialect's envelope (media)
 * are `ok` when the HTTP status is a success.
 */
export function outcomeOf(dialect: 'v1' | 'im', answer: Answer): string {
  const type = String(answer.headers['content-type'] ?? '');
  if (dialect === 'v1') {
    if (answer.status < 300) return 'ok';
    const code = type.startsWith('application/json') ? (JSON.parse(answer.text) as { error?: { code?: string } }).error?.code : undefined;
    return `${answer.status} ${code ?? '(no error code)'}`;
  }
  if (!type.startsWith('application/toml')) return answer.status < 300 ? 'ok' : `http ${answer.status}`;
  const [response] = parseToml(imEnvelope(answer.text))['response'] ?? [];
  const outcome = response?.['status'] === 0 ? 'ok' : `status ${String(response?.['status'])} ${String(response?.['reason'])}`;
  return answer.status === 200 ? outcome : `http ${answer.status} ${outcome}`;
}

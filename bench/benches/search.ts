import { rmSync } from 'node:fs';
import { pick } from '../harness/bench-options.js';
import { BenchFailure, figure, type Figure } from '../harness/bench-result.js';
import type { Bench } from '../harness/bench.js';
import { HttpClient, type HttpAnswer } from '../harness/http-client.js';
import { expectImSuccess } from '../harness/im-answer.js';
import { Samples } from '../harness/percentiles.js';
import { timedStart } from '../harness/timed-start.js';
import { cachedLog } from '../log/cached-log.js';
import type { SampleRoom } from '../log/log-manifest.js';
import { servedDataDir } from '../log/served-data-dir.js';
import { REPLAY_EVENTS, QUICK_REPLAY_EVENTS } from './replay.js';

/** Requests of each kind, timed one at a time. */
const REQUESTS = 1000;
const PAGE = 20;

/**
 * The kinds of query. The generated log's texts are drawn from one list of ~55 English words
 * (bench/log/seeded-random.ts), uniformly: it holds no rare word and no Chinese or Russian text.
 * So "rare" is three of its words that must all match (each common, together rare), and the CJK
 * and Cyrillic queries find nothing: they time a miss through those paths, not a CJK search.
 */
const KINDS: ReadonlyArray<{ name: string; queries: readonly string[]; hits: 'some' | 'none' }> = [
  { name: 'common word', queries: ['lunch', 'thanks', 'tomorrow', 'home', 'sorry'], hits: 'some' },
  { name: 'prefix', queries: ['tom*', 'we*', 'ho*'], hits: 'some' },
  { name: 'rare (three words together)', queries: ['weekend train tonight', 'photo meeting late', 'lunch file haha'], hits: 'some' },
  { name: 'absent (CJK, Cyrillic, Latin: 0 hits)', queries: ['你好', 'привет', 'station'], hits: 'none' },
];

interface Hit {
  id: number;
  text: string | null;
  snippet: string;
}

/**
 * `GET /v1/search` over the generated 1,000,000-event log, served by the embedded default with
 * its cached read models and search index (cached-search-index.ts): p50 and p99 of each kind of
 * query, one request at a time, each asked by a member of one of the manifest's sampled rooms
 * (busy and quiet users alike), beside `GET /health` timed the same way on the same server.
 * Every answer is checked: at most a page, newest first, every hit holding every word asked,
 * nothing for the absent words, and, before the timing, a word of each sampled room's last text
 * found for its member.
 */
export const searchBench: Bench = {
  name: 'search',
  async run(options) {
    const log = await cachedLog(pick(options, REPLAY_EVENTS, QUICK_REPLAY_EVENTS));
    const { dataDir, index } = await servedDataDir(log, options, 'eschat-bench-search-');
    try {
      const { server } = await timedStart({ dataDir, tls: options.tls, profileDir: options.profileDir }, log.manifest, 'search');
      const http = new HttpClient(server.httpUrl);
      try {
        const rooms = log.manifest.sample.rooms;
        await checkKnownHits(http, rooms);
        const requests = pick(options, REQUESTS, 100);
        const health = await timed(
          requests,
          () => http.get('/health'),
          (answer) => expectImSuccess(answer, 'search: GET /health'),
        );
        const all = new Samples();
        const figures: Figure[] = [];
        for (const kind of KINDS) {
          const samples = await timed(
            requests,
            (i) => {
              const room = rooms[i % rooms.length]!;
              return ask(http, room, kind.queries[i % kind.queries.length]!);
            },
            (answer, i) => checkHits(answer, kind.queries[i % kind.queries.length]!, kind.hits),
            all,
          );
          figures.push(
            figure('search', `${kind.name} p50`, samples.percentile(50), 'us', health.percentile(50)),
            figure('search', `${kind.name} p99`, samples.percentile(99), 'us', health.percentile(99)),
          );
        }
        return [
          figure('search', 'GET /health p50 (trivial, same run)', health.percentile(50), 'us', null),
          figure('search', 'GET /health p99 (trivial, same run)', health.percentile(99), 'us', null),
          ...figures,
          figure('search', 'every query p50', all.percentile(50), 'us', health.percentile(50)),
          figure('search', 'every query p99', all.percentile(99), 'us', health.percentile(99), { op: '<=', limit: 20_000, of: 'value' }),
          figure('search', 'search.db build (a start on the log, when cached)', index.built.seconds, 's', null),
        ];
      } finally {
        http.close();
        await server.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

function ask(http: HttpClient, room: SampleRoom, q: string): Promise<HttpAnswer> {
  return http.get(`/v1/search?q=${encodeURIComponent(q)}&limit=${PAGE}`, { 'x-session-id': room.token });
}

/** `count` requests one after another, each timed alone (microseconds) into the samples (and `also`) and its answer checked. */
async function timed(
  count: number,
  request: (i: number) => Promise<HttpAnswer>,
  check: (answer: HttpAnswer, i: number) => void,
  also?: Samples,
): Promise<Samples> {
  const samples = new Samples();
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    const answer = await request(i);
    const micros = Number(process.hrtime.bigint() - started) / 1000;
    samples.add(micros);
    also?.add(micros);
    check(answer, i);
  }
  return samples;
}

/** The page answered: at most PAGE hits, newest first, each holding every word asked (a prefix as a word's start); none if `hits` is none. */
function checkHits(answer: HttpAnswer, q: string, hits: 'some' | 'none'): Hit[] {
  const found = answer.status === 200 ? (JSON.parse(answer.body) as Hit[]) : null;
  if (!Array.isArray(found) || found.length > PAGE) {
    throw new BenchFailure(`search: GET /v1/search?q=${q} answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  }
  if (hits === 'none' && found.length > 0) throw new BenchFailure(`search: "${q}" is in no text of the log, yet found ${found.length}`);
  const words = q
    .split(' ')
    .map((word) => (word.endsWith('*') ? new RegExp(`\\b${word.slice(0, -1)}`, 'i') : new RegExp(`\\b${word}\\b`, 'i')));
  for (const [i, hit] of found.entries()) {
    if (i > 0 && hit.id >= found[i - 1]!.id)
      throw new BenchFailure(`search: "${q}" answered out of order (newest first): ${answer.body.slice(0, 200)}`);
    if (!words.every((word) => word.test(hit.text ?? '')))
      throw new BenchFailure(`search: "${q}" found "${hit.text}", which does not hold it`);
  }
  return found;
}

/** For each sampled room with a text last: its last text's first word, asked by its member, finds something (that text at least). */
async function checkKnownHits(http: HttpClient, rooms: readonly SampleRoom[]): Promise<void> {
  for (const room of rooms) {
    const word = room.lastText.split(' ')[0];
    if (!word) continue;
    const found = checkHits(await ask(http, room, word), word, 'some');
    if (found.length === 0)
      throw new BenchFailure(`search: "${word}" found nothing for a member of room ${room.roomId}, whose last text holds it`);
  }
}

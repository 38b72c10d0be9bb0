import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { UsageError } from '../errors.js';
import { describeFsError } from '../load.js';
import type { Frame, LoadedProfile, ProfileKind, Stack } from './types.js';

/** How long a live service gets to answer a profile request, by default. */
export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;

type Numeric = number | bigint;

/** The value columns a heap profile has; inuse_* rank leaks, alloc_* are the fallback. */
const HEAP_SPACE = ['inuse_space', 'alloc_space'];
const HEAP_OBJECTS = ['inuse_objects', 'alloc_objects'];
const GOROUTINE_TYPES: ProfileKind[] = ['goroutineleak', 'goroutine'];

/**
 * Reads, decodes and checks one profile: a file (gzipped or plain protobuf) or an
 * http(s) URL. Any problem is a UsageError naming the source, one line.
 */
export async function loadProfile(source: string, timeoutMs = DEFAULT_FETCH_TIMEOUT_MS): Promise<LoadedProfile> {
  const bytes = isUrl(source) ? await fetchProfile(source, timeoutMs) : readProfileFile(source);
  return decodeProfile(source, bytes);
}

/**
 * The profile `profile` minus the earlier one `base` of the same kind (`go tool pprof -base`):
 * every stack of the base comes back with its values negated (and marked `fromBase`), so sums
 * over stacks are growth: bytes for heap profiles, goroutines for goroutine and leak profiles.
 */
export function subtractBase(profile: LoadedProfile, base: LoadedProfile): LoadedProfile {
  if (base.kind !== profile.kind) throw new UsageError(`--profile-base ${base.source}: a ${base.kind} profile, not a ${profile.kind} profile like ${profile.source}`);
  if (base.sampleType !== profile.sampleType) {
    throw new UsageError(`--profile-base ${base.source}: has ${base.sampleType} values, ${profile.source} has ${profile.sampleType}`);
  }
  const negated = base.stacks.map((s) => ({ frames: s.frames, value: -s.value, objects: -s.objects, fromBase: true }));
  return { ...profile, stacks: [...profile.stacks, ...negated], base: base.source };
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

function readProfileFile(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`profile ${file}: cannot read: ${describeFsError(err)}`);
  }
}

/** The URL with debug=0 (the protobuf form), whatever debug it asked for. */
export function protobufUrl(source: string): URL {
  const url = new URL(source);
  url.searchParams.set('debug', '0');
  return url;
}

async function fetchProfile(source: string, timeoutMs: number): Promise<Uint8Array> {
  let url: URL;
  try {
    url = protobufUrl(source);
  } catch {
    throw new UsageError(`profile ${source}: not a valid URL`);
  }
  let response: HttpAnswer;
  try {
    response = await httpGet(url, timeoutMs);
  } catch (err) {
    throw new UsageError(`profile ${url.href}: ${describeHttpError(err, timeoutMs)}`);
  }
  if (response.status < 200 || response.status > 299) {
    const text = firstLine(new TextDecoder().decode(response.body.subarray(0, 200)));
    throw new UsageError(`profile ${url.href}: HTTP ${response.status} ${response.statusText}${text ? `: ${text}` : ''}`);
  }
  return response.body;
}

interface HttpAnswer {
  status: number;
  statusText: string;
  body: Uint8Array;
}

const MAX_REDIRECTS = 5;

/** Thrown for a failure after the connection was made: the body broke off. */
class BrokenOff extends Error {}

/**
 * GET over node:http or node:https, following redirects, within `timeoutMs` for the whole
 * exchange. Not fetch(): it refuses the WHATWG "bad ports" (6000, 6666, 6667 and others),
 * and pprof endpoints do listen on those.
 */
async function httpGet(url: URL, timeoutMs: number, redirects = 0): Promise<HttpAnswer> {
  const request = url.protocol === 'https:' ? https.request : http.request;
  const answer = await new Promise<HttpAnswer & { location?: string }>((resolve, reject) => {
    const req = request(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err: Error) => reject(Object.assign(new BrokenOff(err.message), { cause: err })));
      res.on('aborted', () => reject(new BrokenOff('the connection was closed')));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          body: new Uint8Array(Buffer.concat(chunks)),
          location: res.headers.location,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
  if (answer.status >= 300 && answer.status < 400 && answer.location) {
    if (redirects >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
    return httpGet(new URL(answer.location, url), timeoutMs, redirects + 1);
  }
  return answer;
}

function describeHttpError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: { name?: string; code?: string; message?: string } };
  const timedOut = [e.name, e.cause?.name].some((n) => n === 'TimeoutError' || n === 'AbortError');
  const why = timedOut ? `no answer within ${timeoutMs / 1000} s` : describeCode(e.code ?? e.cause?.code) ?? e.message ?? String(err);
  return err instanceof BrokenOff && !timedOut ? `the answer broke off: ${why}` : `cannot fetch: ${why}`;
}

function describeCode(code: string | undefined): string | undefined {
  if (code === 'ECONNREFUSED') return 'connection refused (is the service running, and serving net/http/pprof on that port?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host';
  if (code === 'ECONNRESET') return 'the connection was reset';
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l.length > 0)?.slice(0, 80) ?? '';
}

/** Gunzips when gzipped, decodes the protobuf and reduces it to stacks of the value that ranks. */
export function decodeProfile(source: string, bytes: Uint8Array): LoadedProfile {
  const fail = (why: string) => new UsageError(`profile ${source}: ${why}`);
  if (bytes.length === 0) throw fail('empty file, not a profile');
  let raw = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = gunzipSync(bytes);
    } catch (err) {
      throw fail(`corrupt or truncated gzip data (${(err as Error).message})`);
    }
  }
  const text = notProtobuf(raw);
  if (text) throw fail(text);
  let p: Profile;
  try {
    p = Profile.decode(raw);
  } catch (err) {
    throw fail(`corrupt or truncated profile: ${(err as Error).message}`);
  }
  const problem = inconsistency(p);
  if (problem) throw fail(`corrupt or truncated profile: ${problem}`);
  const types = p.sampleType.map((t) => str(p, t.type));
  const pick = (names: readonly string[]) => {
    for (const name of names) if (types.includes(name)) return name;
    return null;
  };
  const space = pick(HEAP_SPACE);
  const goroutine = pick(GOROUTINE_TYPES);
  let kind: ProfileKind;
  let sampleType: string;
  let objectsIndex = -1;
  if (space) {
    kind = 'heap';
    sampleType = space;
    const objects = pick(HEAP_OBJECTS);
    if (objects) objectsIndex = types.indexOf(objects);
  } else if (goroutine) {
    kind = goroutine as ProfileKind;
    sampleType = goroutine;
  } else {
    throw fail(`a ${types.join('/') || 'valueless'} profile, not a heap or goroutine profile (take /debug/pprof/heap or /debug/pprof/goroutine)`);
  }
  return { source, kind, sampleType, stacks: stacksOf(p, types.indexOf(sampleType), objectsIndex) };
}

/** Why these bytes are no protobuf profile, when they are recognisably something else. */
function notProtobuf(raw: Uint8Array): string | null {
  const head = new TextDecoder().decode(raw.subarray(0, 256)).trimStart();
  if (/^<(!doctype|html|head|body|\?xml)/i.test(head)) return 'an HTML page, not a profile (is this the /debug/pprof/ endpoint?)';
  if (/^(heap profile|goroutine profile|goroutine \d+ \[|[a-z]+ profile: total)/i.test(head)) {
    return 'a text profile (debug=1 or 2); take it with debug=0, the protobuf form';
  }
  if (/^[{[]/.test(head)) return 'JSON, not a profile';
  return null;
}

/** The first thing that shows the decoded profile is cut short or garbage, or null. */
function inconsistency(p: Profile): string | null {
  const strings = p.stringTable.strings.length;
  if (strings === 0 || p.stringTable.strings[0] !== '') return 'no string table';
  if (p.sampleType.length === 0) return 'no sample types';
  const badString = (i: Numeric) => Number(i) < 0 || Number(i) >= strings;
  if (p.sampleType.some((t) => badString(t.type) || badString(t.unit))) return 'a sample type names a missing string';
  const functions = new Set(p.function.map((f) => Number(f.id)));
  for (const f of p.function) if (badString(f.name) || badString(f.filename)) return `function ${f.id} names a missing string`;
  const locations = new Set(p.location.map((l) => Number(l.id)));
  for (const l of p.location) {
    for (const line of l.line) if (!functions.has(Number(line.functionId))) return `location ${l.id} refers to function ${line.functionId}, which the file lacks`;
  }
  for (const s of p.sample) {
    if (s.value.length !== p.sampleType.length) return `a sample has ${s.value.length} values for ${p.sampleType.length} sample types`;
    for (const id of s.locationId) if (!locations.has(Number(id))) return `a sample refers to location ${id}, which the file lacks`;
  }
  return null;
}

/**
 * A sample value as a number. pprof-format returns values past 2^53 as bigint, and a
 * negative int64 (a saved diff profile) as its unsigned 64-bit reading: read it signed.
 */
function int64(v: Numeric): number {
  return typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v;
}

function str(p: Profile, index: Numeric): string {
  return p.stringTable.strings[Number(index)] ?? '';
}

/** Each sample as frames leaf first (inlined calls unfolded, innermost first) with its values. */
function stacksOf(p: Profile, valueIndex: number, objectsIndex: number): Stack[] {
  const functions = new Map(p.function.map((f) => [Number(f.id), f]));
  const framesOf = new Map<number, Frame[]>();
  for (const loc of p.location) {
    framesOf.set(
      Number(loc.id),
      loc.line.map((l) => {
        const fn = functions.get(Number(l.functionId));
        return { file: fn ? str(p, fn.filename) : '', line: Number(l.line), function: fn ? str(p, fn.name) : '' };
      }),
    );
  }
  return p.sample.map((s) => ({
    frames: s.locationId.flatMap((id) => framesOf.get(Number(id)) ?? []),
    value: int64(s.value[valueIndex]),
    objects: objectsIndex >= 0 ? int64(s.value[objectsIndex]) : 0,
  }));
}

/**
 * Loads every --profile (files and URLs at once) and subtracts each --profile-base from the
 * profiles of its kind (a heap base from the heap profiles, a goroutine leak base from the leak
 * profiles). The first problem, in the order the flags name them, is thrown.
 */
export async function loadProfiles(sources: string[], base: string | string[] | undefined, timeoutMs = DEFAULT_FETCH_TIMEOUT_MS): Promise<LoadedProfile[]> {
  const bases = base === undefined ? [] : typeof base === 'string' ? [base] : base;
  const settled = await Promise.allSettled([...sources, ...bases].map((s) => loadProfile(s, timeoutMs)));
  const loaded = settled.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
  const baseProfiles = loaded.splice(sources.length);
  const byKind = new Map<ProfileKind, LoadedProfile>();
  for (const b of baseProfiles) {
    const other = byKind.get(b.kind);
    if (other) throw new UsageError(`--profile-base ${b.source}: a second ${b.kind} profile as base (${other.source} is one already)`);
    if (!loaded.some((p) => p.kind === b.kind)) {
      throw new UsageError(`--profile-base ${b.source}: a ${b.kind} profile, and no --profile is a ${b.kind} profile to subtract it from`);
    }
    byKind.set(b.kind, b);
  }
  return loaded.map((p) => {
    const b = byKind.get(p.kind);
    return b ? subtractBase(p, b) : p;
  });
}

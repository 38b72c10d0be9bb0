import type { GoType } from './types.js';

/**
 * The standard-library signatures the rules need: the results of functions and methods,
 * and the types of package variables. The model sees no other package's code; what is not
 * here is unknown, and rules stay silent about it.
 */
const named = (pkg: string, name: string): GoType => ({ kind: 'named', name, pkg });
const ptr = (elem: GoType): GoType => ({ kind: 'pointer', elem });
const ERROR: GoType = { kind: 'basic', name: 'error' };
const BOOL: GoType = { kind: 'basic', name: 'bool' };
const recvChan = (elem: GoType): GoType => ({ kind: 'chan', elem, dir: 'recv' });

const CONTEXT = named('context', 'Context');
const CANCEL = named('context', 'CancelFunc');
const RESPONSE = ptr(named('net/http', 'Response'));
const TIME = named('time', 'Time');
const REFLECT_TYPE = named('reflect', 'Type');

const FUNCS: Record<string, Record<string, GoType[]>> = {
  time: {
    NewTicker: [ptr(named('time', 'Ticker'))],
    NewTimer: [ptr(named('time', 'Timer'))],
    AfterFunc: [ptr(named('time', 'Timer'))],
    After: [recvChan(TIME)],
    Tick: [recvChan(TIME)],
    Now: [TIME],
  },
  context: {
    Background: [CONTEXT],
    TODO: [CONTEXT],
    WithCancel: [CONTEXT, CANCEL],
    WithTimeout: [CONTEXT, CANCEL],
    WithDeadline: [CONTEXT, CANCEL],
    WithCancelCause: [CONTEXT, named('context', 'CancelCauseFunc')],
    WithTimeoutCause: [CONTEXT, CANCEL],
    WithDeadlineCause: [CONTEXT, CANCEL],
    WithValue: [CONTEXT],
    WithoutCancel: [CONTEXT],
  },
  'net/http': {
    Get: [RESPONSE, ERROR],
    Post: [RESPONSE, ERROR],
    PostForm: [RESPONSE, ERROR],
    Head: [RESPONSE, ERROR],
    NewRequest: [ptr(named('net/http', 'Request')), ERROR],
    NewRequestWithContext: [ptr(named('net/http', 'Request')), ERROR],
  },
  sync: { NewCond: [ptr(named('sync', 'Cond'))] },
  reflect: { TypeOf: [REFLECT_TYPE], ValueOf: [named('reflect', 'Value')] },
  os: {
    Open: [ptr(named('os', 'File')), ERROR],
    Create: [ptr(named('os', 'File')), ERROR],
    OpenFile: [ptr(named('os', 'File')), ERROR],
  },
  'database/sql': { Open: [ptr(named('database/sql', 'DB')), ERROR] },
  net: {
    Dial: [named('net', 'Conn'), ERROR],
    DialTimeout: [named('net', 'Conn'), ERROR],
    Listen: [named('net', 'Listener'), ERROR],
  },
};

const METHODS: Record<string, Record<string, GoType[]>> = {
  'net/http.Client': { Do: [RESPONSE, ERROR], Get: [RESPONSE, ERROR], Post: [RESPONSE, ERROR], PostForm: [RESPONSE, ERROR], Head: [RESPONSE, ERROR] },
  'net/http.Transport': { RoundTrip: [RESPONSE, ERROR] },
  'context.Context': { Done: [recvChan({ kind: 'basic', name: 'struct{}' })], Err: [ERROR] },
  'time.Ticker': { Stop: [] },
  'reflect.Value': { Type: [REFLECT_TYPE] },
  'reflect.Type': { Elem: [REFLECT_TYPE], Key: [REFLECT_TYPE] },
  'time.Timer': { Stop: [BOOL], Reset: [BOOL] },
  'database/sql.DB': { Query: [ptr(named('database/sql', 'Rows')), ERROR], QueryContext: [ptr(named('database/sql', 'Rows')), ERROR] },
};

const VARS: Record<string, Record<string, GoType>> = {
  'net/http': { DefaultClient: ptr(named('net/http', 'Client')), DefaultTransport: named('net/http', 'RoundTripper') },
};

/** Field types of standard-library structs the rules read through (`resp.Body`, `t.C`). */
const FIELDS: Record<string, Record<string, GoType>> = {
  'net/http.Response': { Body: named('io', 'ReadCloser'), StatusCode: { kind: 'basic', name: 'int' } },
  'time.Ticker': { C: recvChan(TIME) },
  'time.Timer': { C: recvChan(TIME) },
};

export function externalFunc(path: string, name: string): GoType[] | null {
  return FUNCS[path]?.[name] ?? null;
}

export function externalMethod(path: string, type: string, name: string): GoType[] | null {
  return METHODS[`${path}.${type}`]?.[name] ?? null;
}

export function externalVar(path: string, name: string): GoType | null {
  return VARS[path]?.[name] ?? null;
}

export function externalField(path: string, type: string, name: string): GoType | null {
  return FIELDS[`${path}.${type}`]?.[name] ?? null;
}

/**
 * Standard-library types with few values: the types of a program, kinds, signals, months.
 * A map keyed by one stops growing once every value has been seen.
 */
const FINITE_TYPES = new Set(['reflect.Type', 'reflect.rtype', 'reflect.Kind', 'reflect.ChanDir', 'os.Signal', 'syscall.Signal', 'time.Month', 'time.Weekday']);

export function isFiniteExternalType(path: string, name: string): boolean {
  return FINITE_TYPES.has(`${path}.${name}`);
}

/** A type descriptor (`*reflect.rtype`): one per type of the program. */
export function isTypeDescriptor(path: string, name: string): boolean {
  return path === 'reflect' && name === 'rtype';
}

/**
 * Standard-library functions whose result is a function of their arguments alone, and
 * which formatting, joining or case-folding finitely many values keeps finite.
 */
const PURE_FUNCS: Record<string, readonly string[]> = {
  strconv: ['Itoa', 'FormatInt', 'FormatUint', 'FormatBool', 'Quote'],
  fmt: ['Sprint', 'Sprintf', 'Sprintln'],
  strings: ['ToLower', 'ToUpper', 'TrimSpace', 'Title'],
  net: ['JoinHostPort'],
  path: ['Join'],
  'path/filepath': ['Join'],
};

export function isPureExternalFunc(path: string, name: string): boolean {
  return PURE_FUNCS[path]?.includes(name) ?? false;
}

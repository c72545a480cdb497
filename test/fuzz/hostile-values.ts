/**
 * Values nobody should send: text with NUL, line separators, lone surrogates, emoji and
 * bidirectional marks; very long text; numbers at the edges of IEEE 754 (and as strings); JSON
 * nested past every limit or a list of 10^4 items; keys a JavaScript object treats specially; and
 * request bodies that are not what their Content-Type says. The route generators
 * (route-requests.ts) mix these into requests that are otherwise valid.
 */
import fc from 'fast-check';

/** Code units that break naive handling: NUL and other controls, U+2028/9, lone surrogates, BOM, RTL override, combining marks. */
const NASTY_UNITS = ['\u0000', '\u0001', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u2028', '\u2029', '\ud800', '\udbff', '\udc00', '\udfff', '\ufeff', '\u202e', '\u0301', '\uffff', '"', "'", '\\', '/', '%', '#', '?', '&', '=', '+', ' '];

/** Whole strings with a meaning somewhere: numbers as text, JavaScript keys, traversal, templates. */
export const SPECIAL_STRINGS = [
  '',
  ' ',
  '   ',
  '0',
  '-0',
  '-1',
  '00123',
  '1e308',
  '-1e308',
  '5e-324',
  '1e-400',
  '1e400',
  'NaN',
  'Infinity',
  '-Infinity',
  '9007199254740993',
  '0x1F',
  '1_000',
  'true',
  'false',
  'null',
  'undefined',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '..',
  '.',
  '../..',
  'a/../../b',
  '%2F',
  '%2e%2e%2f',
  '%',
  '%zz',
  '%00',
  'a%2Fb',
  '/etc/passwd',
  '\\..\\..',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  'SELECT * FROM worksets',
  '😀',
  '👩‍👩‍👧‍👦',
  '\u0000',
  'a\u0000b',
  '\u2028',
  'a\u2029b',
  '\ud800',
  'x\udfffy',
  '\ufeff{}',
  '\u202egnp.exe',
  'Ａ',
  'İstanbul',
  'ß',
  '"quoted',
  's3://',
  's3://bucket/../x',
  'arn:aws:s3:::bucket/*',
  '#',
  'a#history#0000000001',
  '0#2024-01-01T00:00:00.000Z',
] as const;

const nastyUnit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_UNITS) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom('😀', 'é', '中', '\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}') },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
);

/** Long text: `min`…`max` repetitions of one troublesome unit (or of a short random piece). */
export function longString(min = 1_000, max = 200_000): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min, max }), fc.oneof(fc.constantFrom('x', '😀', '\u0000', '\ud800', 'é', ' ', '%2F', '\\'), fc.string({ unit: nastyUnit, minLength: 1, maxLength: 8 })))
    .map(([length, piece]) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length));
}

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 4, arbitrary: fc.string({ unit: nastyUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: longString() },
);

/** Numbers at the edges: what JSON can carry but DynamoDB, a picklist or an integer field may not. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(1e308, -1e308, -0, 0, 5e-324, -5e-324, 1e-131, 1e126, 9.99e125, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1.5, -1, 1e21, 3600.5, 604_801),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Object keys that JavaScript or valibot treat specially, or that no schema names. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', '', ' ', '\u0000', '\ud800', '😀', 'a.b', 'a[0]', '$', '#', 'unknown_field'),
  fc.string({ unit: nastyUnit, maxLength: 12 }),
  longString(1_000, 100_000),
);

/** An array nested `depth` levels deep: `[[[…0…]]]` (JSON.stringify overflows its stack past a few thousand). */
export const deepArray = (depth: number): unknown => {
  let value: unknown = 0;
  for (let level = 0; level < depth; level++) value = [value];
  return value;
};

/** An object nested `depth` levels deep: `{"a":{"a":…}}`. */
export const deepObject = (depth: number, key = 'a'): unknown => {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level++) value = { [key]: value };
  return value;
};

const wideValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: 1_000, max: 10_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
  fc.integer({ min: 1_000, max: 10_000 }).map((n) => Array.from({ length: n }, () => ({}))),
  fc.integer({ min: 1_000, max: 10_000 }).map((n) => Array.from({ length: n }, (_, i) => ({ sample_id: `S${i % 7}`, r1_file: '\u0000' }))),
  fc.integer({ min: 200, max: 5_000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
);

/** Any JSON value a hostile client could send, small or deep or wide. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: hostileString },
    { weight: 3, arbitrary: hostileNumber },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }) },
    { weight: 1, arbitrary: fc.integer({ min: 14, max: 40 }).map(deepArray) },
    { weight: 1, arbitrary: fc.constantFrom(500, 1_000).map(deepArray) },
    { weight: 1, arbitrary: fc.integer({ min: 14, max: 40 }).map((depth) => deepObject(depth)) },
    { weight: 1, arbitrary: wideValue },
  ),
})).value;

/** Content types: JSON ones with odd parameters, JSON look-alikes, and others. */
export const contentType: fc.Arbitrary<string> = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/problem+json',
  'application/json;charset=latin1',
  'application/jsonx',
  'text/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/xml',
  'application/yaml',
  '',
  ';',
  '*/*',
);

/** Text that is not one JSON object: other JSON, broken JSON, other formats. */
export const nonObjectBody: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'null', 'true', '0', '-0', '1e308', '"text"', '[]', '[{}]', '{', '}', '{"a":', '{"a":1,}', "{'a':1}", '{"a":1}{"b":2}', '{"a":NaN}', '{"a":Infinity}', '{"a":1e99999}', '\ufeff{}', 'a=1&b=2', '<xml/>', '---\nyaml: true\n', '\u0000', '{"__proto__":{"polluted":true}}'),
  fc.integer({ min: 17, max: 100_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 17, max: 100_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.integer({ min: 1_000, max: 200_000 }).map((depth) => '['.repeat(depth)),
  // Deeper than JSON.stringify could write (so given as text): inside an object, past the depth check's first level.
  fc.integer({ min: 5_000, max: 200_000 }).map((depth) => `{"samples":${'['.repeat(depth)}${']'.repeat(depth)},"metrics":{}}`),
  hostileString,
);

/** A cursor as a forger would write one: shaped like ours but wrong, or not even base64. */
export const forgedCursor: fc.Arbitrary<string> = fc.oneof(
  fc.dictionary(fc.constantFrom('workset_id', 'customer_id', 'created_at', 'state', 'queue_order', 'history_of', 'entry_id', 'x'), hostileJson, { maxKeys: 4 }).map((key) =>
    Buffer.from(JSON.stringify(key)).toString('base64url'),
  ),
  hostileJson.map((value) => Buffer.from(JSON.stringify(value) ?? 'undefined').toString('base64url')),
  fc.constantFrom('e30', 'bnVsbA', 'W10', '!!!', '====', 'a'.repeat(2048), 'a'.repeat(2049), '%00', 'eyJ3b3Jrc2V0X2lkIjp7IlMiOiJ4In19'),
  hostileString,
);

import { parseConfigText } from './parse';
import { testbedsFileSchema } from './testbeds';
import { fillCommandTemplate, splitCommandTemplate } from './location-provider';

test('a template splits at blanks, quotes group words, variables stay for the fill', () => {
  expect(splitCommandTemplate("am broadcast -a my.mock.SET --es 'name with space' x --ef lat ${latitude} --ef lon \"${longitude}\"")).toEqual({
    argv: ['am', 'broadcast', '-a', 'my.mock.SET', '--es', 'name with space', 'x', '--ef', 'lat', '${latitude}', '--ef', 'lon', '${longitude}'],
  });
  expect(splitCommandTemplate("geo fix ''  ${latitude},${longitude}")).toEqual({ argv: ['geo', 'fix', '', '${latitude},${longitude}'] });
});

test('bad templates say what is wrong', () => {
  expect(splitCommandTemplate('   ')).toEqual({ error: 'an empty command' });
  expect(splitCommandTemplate("am broadcast 'oops ${latitude} ${longitude}")).toEqual({ error: "unclosed ' quote" });
  expect(splitCommandTemplate('set ${lat} ${longitude}')).toMatchObject({ error: expect.stringContaining('unknown variable ${lat}') });
  expect(splitCommandTemplate('set ${latitude}')).toMatchObject({ error: expect.stringContaining('both') });
});

test('filled words carry six-decimal numbers and never shell syntax from the values', () => {
  const split = splitCommandTemplate('am broadcast --ef lat ${latitude} --ef lon ${longitude} --es both ${latitude},${longitude}');
  if (!('argv' in split)) throw new Error(split.error);
  expect(fillCommandTemplate(split.argv, { latitude: 52.52, longitude: -13.405 })).toEqual([
    'am', 'broadcast', '--ef', 'lat', '52.520000', '--ef', 'lon', '-13.405000', '--es', 'both', '52.520000,-13.405000',
  ]);
});

describe('testbeds config phones.<side>.location', () => {
  const file = (location: string) =>
    'schema: matador.testbeds/v1\ntestbeds:\n  - id: lab\n    kind: real\n' +
    `    phones: { A: { serial: a, location: ${location} }, B: { serial: b } }\n` +
    '    routers:\n      A: { host: 192.0.2.1, user: u, identityFile: k, knownHostsFile: h }\n' +
    '      B: { host: 192.0.2.2, user: u, identityFile: k, knownHostsFile: h }\n';
  const load = (location: string) => parseConfigText(testbedsFileSchema, file(location), 't.yaml');
  const errorOf = (location: string): string => {
    try {
      load(location);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error(`${location} loaded`);
  };

  test('the Appium Settings app or a command template with a package; absent = the default', () => {
    const phones = (location: string) => {
      const tb = load(location).testbeds[0];
      if (tb.kind !== 'real') throw new Error('real testbed expected');
      return tb.phones;
    };
    expect(phones('{ provider: appium-settings }').A.location).toEqual({ provider: 'appium-settings' });
    expect(phones("{ command: 'am broadcast -a x.SET --ef lat ${latitude} --ef lon ${longitude}', package: x.mock }").A.location).toEqual({
      command: 'am broadcast -a x.SET --ef lat ${latitude} --ef lon ${longitude}',
      package: 'x.mock',
    });
    expect(phones('{ provider: appium-settings }').B.location).toBeUndefined();
  });

  test('a bad provider or template is one line: file, key path, value, what is wrong', () => {
    expect(errorOf("{ command: 'am broadcast ${lat} ${longitude}' }")).toMatch(/^t\.yaml: testbeds\[0\]\.phones\.A\.location.*unknown variable \$\{lat\}/);
    expect(errorOf("{ command: 'am broadcast ${lat} ${longitude}' }").split('\n')).toHaveLength(1);
    expect(errorOf('{ provider: xprivacy }')).toMatch(/^t\.yaml: testbeds\[0\]\.phones\.A\.location/);
    expect(errorOf("{ command: 'x ${latitude} ${longitude}', package: 'not a package' }")).toMatch(/phones\.A\.location/);
  });
});

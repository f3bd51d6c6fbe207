import { describe, expect, it } from 'vitest';
import { parsePipConfigList, uvEnvFor } from '../../src/runtime/pip-index.js';

describe("pip's index, handed to uv", () => {
  it('reads `pip config list`; the environment wins over the files', () => {
    const sources = parsePipConfigList(
      [
        "global.index-url='https://pypi.corp.example/simple'",
        "global.extra-index-url='file:///opt/a/simple file:///opt/b/simple'",
        "global.cert='/etc/ssl/certs/corp.pem'",
        "global.find-links='/opt/wheels'",
        "site.index-url='https://ignored.example/simple'",
        ":env:.index-url='https://mirror.from.env/simple'",
        ":env:.disable-pip-version-check='1'",
      ].join('\n'),
    );
    expect(sources).toEqual({
      indexUrl: 'https://mirror.from.env/simple',
      extraIndexUrls: ['file:///opt/a/simple', 'file:///opt/b/simple'],
      findLinks: ['/opt/wheels'],
      cert: '/etc/ssl/certs/corp.pem',
    });
  });

  it('splits a multi-line pip.conf value, as pip prints it', () => {
    expect(parsePipConfigList("global.extra-index-url='\\nhttps://a.example/simple\\nhttps://b.example/simple'").extraIndexUrls).toEqual([
      'https://a.example/simple',
      'https://b.example/simple',
    ]);
  });

  it('maps to uv variables, searching all indexes as pip does', () => {
    const env = uvEnvFor({ indexUrl: 'https://pypi.corp.example/simple', extraIndexUrls: ['file:///a', 'file:///b'], findLinks: ['/w1', '/w2'], cert: '/c.pem' }, {});
    expect(env).toEqual({
      UV_DEFAULT_INDEX: 'https://pypi.corp.example/simple',
      UV_INDEX: 'file:///a file:///b',
      UV_INDEX_STRATEGY: 'unsafe-best-match',
      UV_FIND_LINKS: '/w1,/w2',
      SSL_CERT_FILE: '/c.pem',
    });
  });

  it("keeps what the user already told uv, and adds nothing when pip has no settings", () => {
    const sources = { indexUrl: 'https://pypi.corp.example/simple', extraIndexUrls: [], findLinks: [] };
    expect(uvEnvFor(sources, { UV_INDEX_URL: 'https://own.example/simple' })).toEqual({});
    expect(uvEnvFor(sources, { UV_DEFAULT_INDEX: 'https://own.example/simple' })).toEqual({});
    expect(uvEnvFor(parsePipConfigList(''), {})).toEqual({});
  });
});

import { describe, expect, it } from 'vitest';
import { editToml, type TomlEdit } from '../../src/config/toml-edit.js';
import { TomlSyntaxError, validateToml } from '../../src/config/toml-syntax.js';

const F = 'config.toml';
const set = (path: string[], value: string | number | boolean): TomlEdit => ({ op: 'set', path, value });
const edit = (text: string, ...edits: TomlEdit[]) => editToml(text, edits, F).text;

describe('editToml: set', () => {
  it('appends a new table at the end, keeping a final newline', () => {
    expect(edit('a = 1\n', set(['t', 'k'], 'v'))).toBe('a = 1\n\n[t]\nk = "v"\n');
  });

  it('keeps a missing final newline missing', () => {
    expect(edit('a = 1', set(['t', 'k'], 'v'))).toBe('a = 1\n\n[t]\nk = "v"');
  });

  it('writes into an empty file', () => {
    expect(edit('', set(['t', 'k'], 1))).toBe('[t]\nk = 1\n');
  });

  it('adds keys after the last key of an existing table and keeps the user keys and comments', () => {
    const text = '[t] # mine\nuser = true # keep\n\n# next\n[u]\nx = 1\n';
    expect(edit(text, set(['t', 'k'], 'v'))).toBe('[t] # mine\nuser = true # keep\nk = "v"\n\n# next\n[u]\nx = 1\n');
  });

  it('replaces only the value span of an existing key', () => {
    const text = "[t]\nk   =   'old' # note\n";
    expect(edit(text, set(['t', 'k'], 'new'))).toBe('[t]\nk   =   "new" # note\n');
  });

  it('leaves an equal value untouched, whatever its quoting', () => {
    const text = "[t]\nk = 'same'\n";
    const result = editToml(text, [set(['t', 'k'], 'same')], F);
    expect(result.changed).toBe(false);
    expect(result.text).toBe(text);
  });

  it('puts a new table after the last table of the same family', () => {
    const text = '[model_providers.a]\nname = "a"\n\n[model_providers.a.http_headers]\nx = "y"\n\n[tui]\nz = 1\n';
    expect(edit(text, set(['model_providers', 'glm', 'name'], 'g'))).toBe(
      '[model_providers.a]\nname = "a"\n\n[model_providers.a.http_headers]\nx = "y"\n\n[model_providers.glm]\nname = "g"\n\n[tui]\nz = 1\n',
    );
  });

  it('extends a table that exists only through dotted keys', () => {
    const text = 'model_providers.glm.name = "g"\nother = 1\n';
    expect(edit(text, set(['model_providers', 'glm', 'base_url'], 'u'))).toBe(
      'model_providers.glm.name = "g"\nmodel_providers.glm.base_url = "u"\nother = 1\n',
    );
  });

  it('extends dotted keys inside a parent table header', () => {
    const text = '[model_providers]\nglm.name = "g"\n';
    expect(edit(text, set(['model_providers', 'glm', 'wire_api'], 'responses'))).toBe(
      '[model_providers]\nglm.name = "g"\nglm.wire_api = "responses"\n',
    );
  });

  it('extends an inline table in place', () => {
    const text = 'model_providers = { glm = { name = "g" }, other = { name = "o" } }\n';
    expect(edit(text, set(['model_providers', 'glm', 'base_url'], 'u'))).toBe(
      'model_providers = { glm = { name = "g", base_url = "u" }, other = { name = "o" } }\n',
    );
  });

  it('adds a new sub-table inside a root inline table (headers would be invalid)', () => {
    const text = 'projects = { "/a" = { trust_level = "trusted" } , "/b" = { trust_level = "trusted" } }';
    const out = edit(text, set(['projects', '/c', 'trust_level'], 'x'));
    expect(out).toBe('projects = { "/a" = { trust_level = "trusted" } , "/b" = { trust_level = "trusted" }, "/c" = { trust_level = "x" } }');
  });

  it('fills an empty inline table', () => {
    expect(edit('[s]\nset = {}\n', set(['s', 'set', 'A'], 'b'))).toBe('[s]\nset = { A = "b" }\n');
  });

  it('quotes keys with slashes, dots, backslashes and unicode, and escapes values', () => {
    const out = edit('', set(['projects', 'C:\\Users\\me', 'path.with.dots'], 'a "q" \\ \n é'));
    expect(out).toBe('[projects."C:\\\\Users\\\\me"]\n"path.with.dots" = "a \\"q\\" \\\\ \\n é"\n');
    expect(validateToml(out, F)).toEqual({ projects: { 'C:\\Users\\me': { 'path.with.dots': 'a "q" \\ \n é' } } });
  });

  it('finds tables whose header uses quoted keys and literal strings', () => {
    const text = "[projects.'\\\\?\\C:\\Users\\x']\ntrust_level = \"trusted\"\n";
    expect(edit(text, set(['projects', '\\\\?\\C:\\Users\\x', 'k'], 1))).toBe(`${text.trimEnd()}\nk = 1\n`);
  });

  it('keeps CRLF line endings and writes new lines with CRLF', () => {
    const text = 'a = 1\r\n\r\n[t]\r\nx = 1\r\n';
    expect(edit(text, set(['t', 'k'], 2), set(['u', 'k'], 3))).toBe('a = 1\r\n\r\n[t]\r\nx = 1\r\nk = 2\r\n\r\n[u]\r\nk = 3\r\n');
  });

  it('keeps a BOM', () => {
    const out = edit('\uFEFFa = 1\n', set(['t', 'k'], 1));
    expect(out.startsWith('\uFEFFa = 1\n')).toBe(true);
  });

  it('appends after an array of tables at the end of a file with no final newline without joining lines', () => {
    const text = '[[skills.config]]\npath = "/x"\nenabled = true';
    const out = edit(text, set(['model_providers', 'glm', 'name'], 'g'));
    expect(out).toBe('[[skills.config]]\npath = "/x"\nenabled = true\n\n[model_providers.glm]\nname = "g"');
    expect(validateToml(out, F)).toEqual({ skills: { config: [{ path: '/x', enabled: true }] }, model_providers: { glm: { name: 'g' } } });
  });

  it('inserts root keys after the last root key, or above the first table and its comments', () => {
    expect(edit('x = 1\n[t]\n', set(['model'], 'm'))).toBe('x = 1\nmodel = "m"\n[t]\n');
    expect(edit('# about t\n[t]\ny = 2\n', set(['model'], 'm'))).toBe('model = "m"\n\n# about t\n[t]\ny = 2\n');
  });

  it('refuses to turn a value into a table', () => {
    expect(() => edit('model_providers = "x"\n', set(['model_providers', 'glm', 'name'], 'g'))).toThrow(/is a value, not a table/);
  });

  it('refuses invalid TOML with a 1-based line and column', () => {
    try {
      edit('[a]\nx = 1\nx = 2\n', set(['a', 'y'], 1));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TomlSyntaxError);
      expect((error as TomlSyntaxError).problem).toMatchObject({ file: F, line: 3, column: 1 });
      expect((error as Error).message).toMatch(/^config\.toml:3:1: /);
    }
  });
});

describe('editToml: delete', () => {
  const del = (path: string[]): TomlEdit => ({ op: 'delete-table', path });
  const delKey = (path: string[]): TomlEdit => ({ op: 'delete-key', path });

  it.each([
    ['a = 1\n', ['t', 'k']],
    ['a = 1', ['t', 'k']],
    ['', ['t', 'k']],
    ['[x]\ny = 1\n\n[z]\nw = 2\n', ['x2', 'k']],
    ['[model_providers.a]\nn = 1\n\n[tui]\nz = 1\n', ['model_providers', 'glm', 'k']],
    ['a = 1\r\n', ['t', 'k']],
    ['a = 1\n\n\n', ['t', 'k']],
  ])('undoes an added table exactly (%j)', (text, path) => {
    const added = edit(text, set(path, 'v'), set(path.slice(0, -1).concat('k2'), 2));
    expect(added).not.toBe(text);
    expect(edit(added, del(path.slice(0, -1)))).toBe(text);
  });

  it('removes every form of a table: header, sub-tables, dotted keys', () => {
    const text = '[profiles.glm]\nmodel = "g"\n\n[profiles.glm.sub]\nx = 1\n\n[profiles.other]\nm = 1\n';
    expect(edit(text, del(['profiles', 'glm']))).toBe('[profiles.other]\nm = 1\n');
    expect(edit('profiles.glm.model = "g"\nkeep = 1\n', del(['profiles', 'glm']))).toBe('keep = 1\n');
    expect(edit('p = { glm = { m = 1 }, o = { m = 2 } }\n', del(['p', 'glm']))).toBe('p = { o = { m = 2 } }\n');
  });

  it('removes a root key and the blank line it brought', () => {
    const text = '# header\n[t]\ny = 2\n';
    const added = edit(text, set(['model'], 'm'), set(['model_provider'], 'p'));
    expect(edit(added, delKey(['model']), delKey(['model_provider']))).toBe(text);
    expect(edit(added, delKey(['model_provider']), delKey(['model']))).toBe(text);
  });

  it('removes a key from an inline table with its comma', () => {
    expect(edit('t = { a = 1, b = 2 }\n', delKey(['t', 'a']))).toBe('t = { b = 2 }\n');
    expect(edit('t = { a = 1, b = 2 }\n', delKey(['t', 'b']))).toBe('t = { a = 1 }\n');
  });

  it('does nothing when the table is absent', () => {
    expect(editToml('a = 1\n', [del(['profiles', 'glm'])], F).changed).toBe(false);
  });
});

describe('a config.toml of white space only', () => {
  it('gets the table and, when the table is deleted, its exact bytes back (with and without a final line break, CRLF too)', () => {
    for (const original of ['', '\n', '\n\n', '   \n', '  ', '\t\n  \n', '\r\n', '  \r\n', ' \t']) {
      const added = editToml(original, [{ op: 'set', path: ['model_providers', 'glm-litellm', 'name'], value: 'x' }], 'config.toml').text;
      expect(added).toContain('[model_providers.glm-litellm]');
      expect(added.startsWith(original), JSON.stringify(original)).toBe(true);
      const back = editToml(added, [{ op: 'delete-table', path: ['model_providers', 'glm-litellm'] }], 'config.toml').text;
      expect(back, JSON.stringify(original)).toBe(original);
    }
  });
});
